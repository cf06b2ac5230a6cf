import net from "node:net";
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

function startServer(env: Record<string, string> = {}): Spawned {
  return spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: fixture("production"),
    API_TOKENS: "prod-token",
    ...env,
  });
}

/** Opens a raw socket and writes `text` one byte every `intervalMs`; resolves with what came back and when. */
function trickle(
  port: number,
  text: string,
  intervalMs: number,
): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let response = "";
    let index = 0;
    const timer = setInterval(() => {
      if (index < text.length && socket.writable) socket.write(text[index++]);
    }, intervalMs);
    socket.on("data", (chunk) => (response += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
  });
}

describe("the server process in production", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("cuts off a slowloris client at HEADERS_TIMEOUT_MS while serving everyone else", async () => {
    server = startServer({ HEADERS_TIMEOUT_MS: "1000", REQUEST_TIMEOUT_MS: "2000" });
    const port = await waitForListening(server);
    const slow = trickle(
      port,
      "GET /api/whoami HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200),
      50,
    );
    const served: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/whoami`);
      expect(res.status).toBe(200);
      served.push(Date.now() - started);
      await sleep(100);
    }
    const { response, closedAfterMs } = await slow;
    expect(response).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(response).toContain('{"message":"Request Timeout"}');
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(3000);
    expect(Math.max(...served)).toBeLessThan(500);
  });

  it("answers headers over MAX_HEADER_SIZE with a JSON 431", async () => {
    server = startServer({ MAX_HEADER_SIZE: "4096" });
    const port = await waitForListening(server);
    const res = await fetch(`http://127.0.0.1:${port}/api/whoami`, {
      headers: { "x-big": "b".repeat(5000) },
    });
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({ message: "Request Header Fields Too Large" });
    expect((await fetch(`http://127.0.0.1:${port}/api/whoami`)).status).toBe(200);
  });

  it("on SIGTERM finishes every request in flight with a 2xx, refuses new ones, and exits 0", async () => {
    server = startServer();
    const port = await waitForListening(server);
    // Long enough for a busy machine to accept all 30 before the signal: one still in the
    // listen queue when the listener closes is reset by the kernel, not "in flight".
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/api/slow?ms=${1500 + i * 10}`).then(async (res) => ({
        status: res.status,
        body: await res.json(),
      })),
    );
    await sleep(800);
    const pid = server.child.pid as number;
    process.kill(pid, "SIGTERM");
    await sleep(100);
    await expect(fetch(`http://127.0.0.1:${port}/api/whoami`)).rejects.toThrow();
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain("server closed");
    server = undefined;
  });

  it("forces exit 1 when a request outlives SHUTDOWN_TIMEOUT_MS", async () => {
    server = startServer({ SHUTDOWN_TIMEOUT_MS: "500" });
    const port = await waitForListening(server);
    const hanging = fetch(`http://127.0.0.1:${port}/api/never`).catch((error: unknown) => error);
    await sleep(100);
    const started = Date.now();
    process.kill(server.child.pid as number, "SIGTERM");
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.stdout()).toContain("shutdown timed out");
    expect(String(await hanging)).toMatch(/fetch failed/); // the connection was cut, not answered
    server = undefined;
  });

  it("exits 1 at once on a second signal", async () => {
    server = startServer({ SHUTDOWN_TIMEOUT_MS: "10000" });
    const port = await waitForListening(server);
    void fetch(`http://127.0.0.1:${port}/api/never`).catch(() => undefined);
    await sleep(100);
    process.kill(server.child.pid as number, "SIGTERM");
    await sleep(100);
    process.kill(server.child.pid as number, "SIGINT");
    expect(await server.exited).toBe(1);
    expect(server.stdout()).toContain("second signal");
    server = undefined;
  });

  it("logs an exception thrown later on behalf of a request with its id and route, and keeps serving", async () => {
    server = startServer();
    const port = await waitForListening(server);
    const res = await fetch(`http://127.0.0.1:${port}/api/crash-later`, {
      headers: { "x-request-id": "crash-later-1" },
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && !/crash-later\.ts: uncaught/.test(server.stdout()); i++)
      await sleep(50);
    const line =
      server
        .stdout()
        .split("\n")
        .find((l) => l.includes("crash-later.ts: uncaught")) ?? "";
    expect(JSON.parse(line)).toMatchObject({
      level: 50,
      reqId: "crash-later-1",
      route: "crash-later.ts",
    });
    expect((await fetch(`http://127.0.0.1:${port}/api/whoami`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(await stopProcess(server)).toBe(0);
    server = undefined;
  });

  it("logs an uncaught exception outside any request at fatal and shuts down instead of hanging", async () => {
    server = startServer({ ROUTES_DIR: fixture("hostile-outside") });
    const port = await waitForListening(server);
    expect((await fetch(`http://127.0.0.1:${port}/api/arm`)).status).toBe(200);
    expect(await server.exited).toBe(1);
    expect(server.stdout()).toMatch(
      /"level":60[^\n]*arm\.ts: thrown by a timer outside any request[^\n]*uncaught exception outside a request/,
    );
    server = undefined;
  });

  it("writes nothing at LOG_LEVEL=silent", async () => {
    server = startServer({ LOG_LEVEL: "silent", PORT: "38931" });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch("http://127.0.0.1:38931/api/whoami").then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(50);
    }
    await fetch("http://127.0.0.1:38931/api/boom");
    expect(await stopProcess(server)).toBe(0);
    expect(server.stdout()).toBe("");
    server = undefined;
  });

  it("writes human-readable lines with LOG_FORMAT=pretty", async () => {
    server = startServer({ LOG_FORMAT: "pretty" });
    await sleep(100);
    for (let i = 0; i < 100 && !/listening on/.test(server.stdout()); i++) await sleep(50);
    const firstLine =
      server
        .stdout()
        .split("\n")
        .find((line) => line.includes("listening on")) ?? "";
    expect(firstLine).toMatch(/INFO/);
    expect(() => JSON.parse(firstLine)).toThrow();
  });
});
