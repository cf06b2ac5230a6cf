import { execFileSync } from "node:child_process";
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

type Line = Record<string, unknown>;

function lines(server: Spawned): Line[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Line);
}

async function waitForLine(
  server: Spawned,
  match: (line: Line) => boolean,
  timeoutMs = 20_000,
): Promise<Line> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = lines(server).find(match);
    if (found) return found;
    if (server.child.exitCode !== null) break;
    await sleep(25);
  }
  throw new Error(`no such log line:\n${server.stdout()}\n${server.stderr()}`);
}

function startServer(env: Record<string, string>): Spawned {
  return spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: fixture("production"),
    ...env,
  });
}

/** Waits for the primary's line saying that all its workers listen; their pids by worker id. */
async function waitForWorkers(
  server: Spawned,
  count: number,
): Promise<{ port: number; pids: Map<number, number> }> {
  const all = await waitForLine(
    server,
    (line) =>
      line.role === "primary" &&
      line.msg === `${count} workers listening on http://127.0.0.1:${String(line.port)}/api`,
  );
  const pids = new Map<number, number>();
  for (const line of lines(server))
    if (typeof line.worker === "number" && String(line.msg).startsWith("listening on"))
      pids.set(line.worker, line.pid as number);
  return { port: all.port as number, pids };
}

/**
 * The node processes `pid` started (workers): those running this Node binary. Not esbuild's service, which tsx
 * starts to compile a .ts route its cache lacks. Matched on the executable, not `comm`: Node 24 names its main
 * thread "MainThread", which is what `comm` shows.
 */
function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([child, executable]) => child && executable === process.execPath)
      .map(([child]) => Number(child));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** A process that exists and is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    return !/^Z/.test(
      execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim(),
    );
  } catch {
    return false;
  }
}

/** GETs on fresh connections (so that the cluster hands each to the next worker); their statuses. */
async function statuses(port: number, urlPath: string, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      fetch(`http://127.0.0.1:${port}${urlPath}`, { headers: { connection: "close" } }).then(
        (res) => res.status,
      ),
    ),
  );
}

describe("WORKERS", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("is one process by default, as before: no primary, no worker ids in the log", async () => {
    server = startServer({});
    await waitForListening(server);
    expect(childPids(server.child.pid as number)).toEqual([]);
    const listening = await waitForLine(server, (line) =>
      String(line.msg).startsWith("listening on"),
    );
    expect(listening).not.toHaveProperty("worker");
    expect(listening).not.toHaveProperty("pid");
  });

  it("WORKERS=2 serves one port from two processes, and every line a worker logs names it", async () => {
    server = startServer({ WORKERS: "2" });
    const { port, pids } = await waitForWorkers(server, 2);
    expect([...pids.keys()].sort()).toEqual([1, 2]);
    expect(childPids(server.child.pid as number).sort()).toEqual([...pids.values()].sort());
    // The primary hands each new connection to a free worker in turn; a worker's log line reaches
    // its pipe a little after its answer. Both must have served, each logging its own id and pid.
    const servedBy = (worker: number) =>
      lines(server as Spawned).some(
        (line) =>
          line.msg === "request completed" &&
          line.worker === worker &&
          line.pid === pids.get(worker),
      );
    for (let batch = 0; batch < 10 && !(servedBy(1) && servedBy(2)); batch++) {
      expect(await statuses(port, "/api/whoami", 20)).toEqual(Array(20).fill(200));
      for (let wait = 0; wait < 20 && !(servedBy(1) && servedBy(2)); wait++) await sleep(25);
    }
    expect([servedBy(1), servedBy(2)]).toEqual([true, true]);
    expect(
      lines(server)
        .filter((line) => line.msg === "request completed")
        .every((line) => typeof line.worker === "number"),
    ).toBe(true);
  });

  it("replaces a worker that dies, at once the first time and after 1 s when its replacement dies young too", async () => {
    server = startServer({ WORKERS: "2" });
    const { port, pids } = await waitForWorkers(server, 2);
    process.kill(pids.get(1) as number, "SIGKILL");
    const first = await waitForLine(server, (line) => line.role === "primary" && line.worker === 1);
    expect(first).toMatchObject({
      level: 50,
      signal: "SIGKILL",
      restartInMs: 0,
      msg: "worker 1 exited unexpectedly: starting another",
    });
    const replacement = await waitForLine(
      server,
      (line) => line.worker === 3 && String(line.msg).startsWith("listening on"),
    );
    expect(await statuses(port, "/api/whoami", 10)).toEqual(Array(10).fill(200));

    process.kill(replacement.pid as number, "SIGKILL");
    const second = await waitForLine(
      server,
      (line) => line.role === "primary" && line.worker === 3,
    );
    expect(second).toMatchObject({
      restartInMs: 1000,
      msg: "worker 3 exited unexpectedly: starting another in 1000 ms",
    });
    // Worker 2 serves alone meanwhile; worker 4 arrives after the brake's second.
    expect(await statuses(port, "/api/whoami", 10)).toEqual(Array(10).fill(200));
    await waitForLine(
      server,
      (line) => line.worker === 4 && String(line.msg).startsWith("listening on"),
    );
    expect(childPids(server.child.pid as number)).toHaveLength(2);
  });

  it("on SIGTERM to the primary alone (docker stop, Kubernetes) drains every worker: requests in flight are answered, exit 0", async () => {
    server = startServer({ WORKERS: "2", SHUTDOWN_DELAY_MS: "300" });
    const { port, pids } = await waitForWorkers(server, 2);
    const inFlight = Array.from({ length: 10 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/api/slow?ms=${600 + i * 20}`, {
        headers: { connection: "close" },
      }).then((res) => res.status),
    );
    await sleep(150);
    process.kill(server.child.pid as number, "SIGTERM");
    expect(await Promise.all(inFlight)).toEqual(Array(10).fill(200));
    expect(await server.exited).toBe(0);
    for (const worker of pids.keys()) {
      expect(lines(server)).toContainEqual(
        expect.objectContaining({ worker, msg: "server closed" }),
      );
      expect(lines(server)).toContainEqual(
        expect.objectContaining({
          role: "primary",
          worker,
          code: 0,
          msg: `worker ${worker} exited`,
        }),
      );
    }
    expect(server.stdout()).not.toContain("second signal");
    server = undefined;
  });

  it("on Ctrl-C (SIGINT to the whole process group) drains each worker once, exit 0", async () => {
    server = startServer({ WORKERS: "2" });
    const { port } = await waitForWorkers(server, 2);
    const inFlight = statuses(port, "/api/slow?ms=600", 6);
    await sleep(150);
    expect(await stopProcess(server, "SIGINT")).toBe(0);
    expect(await inFlight).toEqual(Array(6).fill(200));
    expect(server.stdout()).not.toContain("second signal");
    expect(lines(server).filter((line) => line.msg === "server closed")).toHaveLength(2);
    server = undefined;
  });

  it("kills the workers on a second signal: exit 1", async () => {
    server = startServer({ WORKERS: "2", SHUTDOWN_DELAY_MS: "20000" });
    const { pids } = await waitForWorkers(server, 2);
    process.kill(server.child.pid as number, "SIGTERM");
    await sleep(200);
    const started = Date.now();
    process.kill(server.child.pid as number, "SIGTERM");
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.stdout()).toContain("second signal: killing the workers");
    // Killed, not left behind: gone once init has reaped them.
    const alive = () => [...pids.values()].filter((pid) => isRunning(pid));
    for (let i = 0; i < 40 && alive().length > 0; i++) await sleep(50);
    expect(alive()).toEqual([]);
    server = undefined;
  });

  it("fails start-up when the routes do not load: exit 1 naming the file, no worker restarted", async () => {
    server = startServer({ WORKERS: "2", ROUTES_DIR: fixture("server-broken") });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain("boom.ts");
    expect(server.stdout()).toMatch(
      /"level":60[^\n]*"role":"primary"[^\n]*failed to start: stopping/,
    );
    expect(server.stdout()).not.toContain("starting another");
    server = undefined;
  });

  it("stops start-up naming WORKERS when its value is bad", async () => {
    server = startServer({ WORKERS: "none" });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain(
      'WORKERS="none": expected auto or a whole number of 1 or more',
    );
    server = undefined;
  });
});
