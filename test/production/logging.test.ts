import http from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { captureLogger, buildTestApp } from "../helpers/app";

describe("request logs", () => {
  it("writes one info line per request with method, url, status, duration, request id and remote address", async () => {
    const { app, logs } = await buildTestApp("production");
    const res = await request(app).get("/api/whoami?x=1");
    const lines = logs.lines.filter((l) => l.msg === "request completed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: "GET",
      url: "/api/whoami?x=1",
      status: 200,
      reqId: res.body.id,
    });
    expect(typeof lines[0].durationMs).toBe("number");
    expect(lines[0].remoteAddress).toMatch(/127\.0\.0\.1|::1/);
  });

  it("keeps a safe X-Request-Id from the client, echoes it, and puts it on every line of the request", async () => {
    const { app, logs } = await buildTestApp("production");
    const res = await request(app).get("/api/whoami").set("X-Request-Id", "edge-42.abc");
    expect(res.headers["x-request-id"]).toBe("edge-42.abc");
    expect(res.body.id).toBe("edge-42.abc");
    const mine = logs.lines.filter((l) => l.reqId === "edge-42.abc").map((l) => l.msg);
    expect(mine).toEqual(["handler log line", "request completed"]);
  });

  it.each([
    ["too long", "a".repeat(200)],
    ["with spaces", "id with spaces"],
    ["with a quote", 'id"injected'],
  ])("replaces a client id %s with a generated one", async (_case, unsafe) => {
    const { app } = await buildTestApp("production");
    const res = await request(app).get("/api/whoami").set("X-Request-Id", unsafe);
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.id).toBe(res.headers["x-request-id"]);
  });

  it("logs a failing handler at error with the stack, the route and the request id", async () => {
    const { app, logs } = await buildTestApp("production");
    const res = await request(app).get("/api/boom").set("X-Request-Id", "boom-1");
    expect(res.status).toBe(500);
    const error = logs.lines.find((l) => l.level === 50);
    expect(error).toMatchObject({ reqId: "boom-1", route: "boom.ts" });
    expect((error?.err as { stack: string }).stack).toMatch(/boom\.ts failed on purpose\n\s+at /);
  });

  it("logs an aborted request too", async () => {
    const { app, logs } = await buildTestApp("production");
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // The client goes away once the server has the request, however busy the machine is.
      server.once("request", () => setImmediate(() => client.destroy()));
      const client = http.get(`http://127.0.0.1:${port}/api/slow?ms=400`);
      client.on("error", () => undefined);
      const line = await eventually(() =>
        logs.lines.find((l) => l.msg === "request completed" && l.url === "/api/slow?ms=400"),
      );
      expect(line).toMatchObject({ aborted: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("never writes Authorization, Cookie or Set-Cookie values", async () => {
    const { app, logs } = await buildTestApp("production", { API_TOKENS: "tok-123456" });
    await request(app)
      .get("/api/boom")
      .set("Authorization", "Bearer tok-123456")
      .set("Cookie", "session=abc123secret");
    const { logger, text } = captureLogger();
    logger.info({
      req: { headers: { authorization: "Bearer tok-123456", cookie: "session=abc123secret" } },
      res: { headers: { "set-cookie": "session=abc123secret" } },
    });
    for (const output of [logs.text(), text()]) {
      expect(output).not.toContain("tok-123456");
      expect(output).not.toContain("abc123secret");
    }
    expect(text()).toContain("[redacted]");
  });
});

/** Polls `read` until it returns a value (10 s at most), so the test waits for the log line instead of guessing. */
async function eventually<T>(read: () => T | undefined): Promise<T | undefined> {
  const deadline = Date.now() + 10_000;
  let value = read();
  while (value === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = read();
  }
  return value;
}
