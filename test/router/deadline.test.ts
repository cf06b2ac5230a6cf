import http from "node:http";
import { buildTestApp, type TestApp } from "../helpers/app";
import { listen } from "../helpers/raw-http";
import { eventually } from "../hostile/support";

interface Answer {
  status: number;
  body: string;
  /** Milliseconds until the response ended or the connection closed. */
  ms: number;
  /** The response ended normally (false: the connection was cut before its end). */
  complete: boolean;
}

function get(port: number, path: string): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ port, host: "127.0.0.1", path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      const finish = (complete: boolean) =>
        resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started, complete });
      res.on("end", () => finish(true));
      res.on("aborted", () => finish(false));
      res.on("error", () => finish(false));
    });
    req.on("error", reject);
  });
}

describe("maxDuration", () => {
  let built: TestApp;
  let server: { port: number; close: () => Promise<void> };
  const events = async () => JSON.parse((await get(server.port, "/api/state")).body) as string[];

  beforeAll(async () => {
    built = await buildTestApp("max-duration/routes", { MAX_DURATION_S: "0.5" });
    server = await listen(built.app);
  });
  afterAll(async () => {
    await server.close();
    await built.close();
  });

  it("answers a pages route past its config.maxDuration 504 with a JSON message, and drops what it writes later", async () => {
    const res = await get(server.port, "/api/slow");
    expect(res).toMatchObject({
      status: 504,
      body: '{"message":"Gateway Timeout"}',
      complete: true,
    });
    expect(res.ms).toBeGreaterThanOrEqual(250);
    expect(res.ms).toBeLessThan(2400);
    // The handler goes on, and its late answer goes nowhere: no error, no second response.
    await eventually(async () => (await events()).includes("slow.ts wrote late"), 5000);
    const lines = built.logs.lines;
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        route: "slow.ts",
        maxDurationS: 0.3,
        msg: "route ran past its maxDuration (0.3 s): answered 504",
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "request completed",
        url: "/api/slow",
        status: 504,
        timedOut: true,
      }),
    );
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it("uses MAX_DURATION_S for a route without its own, and lets a fast route answer", async () => {
    const slow = await get(server.port, "/api/server-default");
    expect(slow.status).toBe(504);
    expect(slow.ms).toBeLessThan(2900);
    const fast = await get(server.port, "/api/fast");
    expect(fast).toMatchObject({ status: 200, body: '{"file":"fast.ts"}' });
  });

  it("forgets a request's deadline once it has been answered", async () => {
    const fast = await get(server.port, "/api/fast");
    expect(fast.status).toBe(200);
    // Past its 0.3 s and several checks of the shared timer: nothing fires for fast.ts.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(built.logs.lines.filter((line) => line.route === "fast.ts")).toEqual([]);
  });

  it("gives no deadline to a request whose client left while an earlier step waited, and goes on past its maxDuration", async () => {
    // An app-level step that waits (as a rate limit waits on Redis) while the client goes away.
    let reachedRoute!: () => void;
    const routeReached = new Promise<void>((resolve) => (reachedRoute = resolve));
    built.app.use((req, res, next) => {
      if (req.url !== "/api/fast?after-client-left") return next();
      res.once("close", () =>
        setTimeout(() => {
          next();
          reachedRoute();
        }, 50),
      );
    });
    const client = http.get({
      port: server.port,
      host: "127.0.0.1",
      path: "/api/fast?after-client-left",
      agent: false,
    });
    client.on("error", () => undefined);
    setTimeout(() => client.destroy(), 100);
    await routeReached;
    // fast.ts answered a response that had closed; past its 0.3 s and several checks of the
    // shared timer, nothing answers it again, and nothing fails.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const lines = built.logs.lines;
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(lines.filter((line) => line.route === "fast.ts")).toEqual([]);
    // The shared timer still runs: a later request past its deadline is answered 504.
    expect((await get(server.port, "/api/slow")).status).toBe(504);
  });

  it("answers each of several concurrent requests past its deadline, whatever finished between them", async () => {
    const answers = await Promise.all(
      ["/api/slow", "/api/fast", "/api/slow", "/api/fast", "/api/slow"].map((path) =>
        get(server.port, path),
      ),
    );
    expect(answers.map(({ status }) => status)).toEqual([504, 200, 504, 200, 504]);
    for (const slow of [answers[0], answers[2], answers[4]]) expect(slow.ms).toBeLessThan(2400);
  });

  it("answers an edge route 504 with a JSON message", async () => {
    const res = await get(server.port, "/api/edge-slow");
    expect(res).toMatchObject({ status: 504, body: '{"message":"Gateway Timeout"}' });
  });

  it("aborts an app route's request.signal with a TimeoutError and answers 504 with an empty body", async () => {
    const res = await get(server.port, "/slow");
    expect(res).toMatchObject({ status: 504, body: "", complete: true });
    await eventually(async () => (await events()).includes("app/slow aborted: TimeoutError"), 5000);
    expect(built.logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it("closes a response already started (pages and app streams), cancelling the app route's stream", async () => {
    const pages = await get(server.port, "/api/stream");
    expect(pages).toMatchObject({ status: 200, body: "first\n", complete: false });
    expect(pages.ms).toBeLessThan(2400);
    const app = await get(server.port, "/stream");
    expect(app).toMatchObject({ status: 200, body: "data: first\n\n", complete: false });
    expect(app.ms).toBeLessThan(5000);
    await eventually(async () => (await events()).includes("app/stream cancelled"), 5000);
    expect(built.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: "route ran past its maxDuration (0.3 s): its response was cut short",
        route: "stream.ts",
      }),
    );
  });

  it("is off with MAX_DURATION_S=0 for routes without their own", async () => {
    const off = await buildTestApp("max-duration/routes", { MAX_DURATION_S: "0" });
    const offServer = await listen(off.app);
    try {
      const res = await get(offServer.port, "/api/server-default");
      expect(res).toMatchObject({ status: 200, body: '{"late":true}' });
    } finally {
      await offServer.close();
      await off.close();
    }
  });
});
