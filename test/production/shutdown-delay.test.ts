import http from "node:http";
import path from "node:path";
import { fixture } from "../helpers/app";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  /** The request went out on a connection opened before (keep-alive). */
  reused: boolean;
  connection: string | undefined;
}

/** GET on 127.0.0.1 through `agent` (a keep-alive agent keeps the connection), or on a fresh connection. */
function get(port: number, urlPath: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          reused: req.reusedSocket,
          connection: res.headers.connection,
        }),
      );
    });
    req.on("error", reject);
  });
}

function startServer(env: Record<string, string>): Spawned {
  return spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: fixture("production"),
    ...env,
  });
}

describe("SHUTDOWN_DELAY_MS", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("on SIGTERM answers /readyz 503 at once and serves as before for the delay (new connections, keep-alive), then drains and exits 0", async () => {
    server = startServer({ SHUTDOWN_DELAY_MS: "1500" });
    const port = await waitForListening(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, "/api/whoami", agent)).toMatchObject({ status: 200, reused: false });
      const inFlight = get(port, "/api/slow?ms=2500");
      await sleep(100);
      const signalled = Date.now();
      process.kill(server.child.pid as number, "SIGTERM");
      await sleep(100);

      expect((await get(port, "/readyz")).status).toBe(503);
      expect((await get(port, "/healthz")).status).toBe(200);
      // Until the delay is over: the open connection is kept and new ones are accepted.
      const during: Answer[] = [];
      while (Date.now() - signalled < 1200) {
        during.push(await get(port, "/api/whoami", agent), await get(port, "/api/whoami"));
        await sleep(100);
      }
      expect(during.length).toBeGreaterThanOrEqual(10);
      expect(during.every((answer) => answer.status === 200)).toBe(true);
      expect(
        during
          .filter((_, i) => i % 2 === 0)
          .every((answer) => answer.reused && answer.connection === "keep-alive"),
      ).toBe(true);

      // Past the delay: nothing new is accepted, the request in flight still gets its answer, exit 0.
      await sleep(Math.max(0, signalled + 1700 - Date.now()));
      await expect(get(port, "/api/whoami")).rejects.toThrow(/ECONNREFUSED/);
      expect((await inFlight).status).toBe(200);
      expect(await server.exited).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(1500);
      expect(server.stdout()).toMatch(
        /"delayMs":1500[^\n]*shutting down in 1500 ms: \/readyz answers 503/,
      );
    } finally {
      agent.destroy();
    }
    server = undefined;
  });

  it("is 0 by default: SIGTERM stops accepting at once", async () => {
    server = startServer({});
    const port = await waitForListening(server);
    process.kill(server.child.pid as number, "SIGTERM");
    await sleep(200);
    await expect(get(port, "/api/whoami")).rejects.toThrow(/ECONNREFUSED/);
    expect(await server.exited).toBe(0);
    server = undefined;
  });

  it("gives way to a second signal: exit 1 at once, during the delay", async () => {
    server = startServer({ SHUTDOWN_DELAY_MS: "20000" });
    await waitForListening(server);
    process.kill(server.child.pid as number, "SIGTERM");
    await sleep(200);
    const started = Date.now();
    process.kill(server.child.pid as number, "SIGTERM");
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.stdout()).toContain("second signal");
    server = undefined;
  });

  it("stops start-up naming SHUTDOWN_DELAY_MS when its value is bad", async () => {
    server = startServer({ SHUTDOWN_DELAY_MS: "soon" });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('SHUTDOWN_DELAY_MS="soon": expected milliseconds');
    server = undefined;
  });
});
