import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";

let app: Express;
let logs: TestApp["logs"];
beforeAll(async () => {
  ({ app, logs } = await buildTestApp("mw-with-middleware"));
});

describe("withMiddleware(...middleware, handler) as a route's handler", () => {
  it("runs its middleware in order, async ones awaited, then the handler", async () => {
    const res = await request(app).get("/api/default");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: "default.ts", trace: ["one", "async", "three"] });
  });

  it("serves every method as a default export", async () => {
    expect((await request(app).delete("/api/default")).body.trace).toStrictEqual([
      "one",
      "async",
      "three",
    ]);
  });

  it("runs after the file's own middleware when used as a method export", async () => {
    const res = await request(app).get("/api/in-chain");
    expect(res.body).toStrictEqual({ file: "in-chain.ts", trace: ["file", "wrapped"] });
    expect((await request(app).post("/api/in-chain")).status).toBe(405);
  });

  it("works with a handler alone", async () => {
    expect((await request(app).get("/api/handler-only")).body).toStrictEqual({
      file: "handler-only.ts",
      trace: [],
    });
  });

  it.each(["next", "throw"])(
    "answers 500 when a middleware fails by %s, without running the handler",
    async (how) => {
      const reqId = newRequestId("wrapped-fail");
      const res = await request(app).get(`/api/fails?how=${how}`).set("X-Request-Id", reqId);
      expect(res.status).toBe(500);
      expect(res.body).toStrictEqual({ message: "Internal Server Error" });
      expect(linesFor(logs, reqId).some((line) => line.level === LEVEL.error)).toBe(true);
    },
  );

  it("answers with an ApiError's status from a middleware", async () => {
    const res = await request(app).get("/api/fails?how=api");
    expect(res.status).toBe(402);
    expect(res.body).toStrictEqual({ message: "Payment Required here" });
  });

  it("reaches the handler when the middleware passes", async () => {
    expect((await request(app).get("/api/fails")).body).toStrictEqual({
      file: "fails.ts",
      trace: [],
    });
  });

  it("answers 500 when the wrapped handler rejects, after its middleware ran", async () => {
    const res = await request(app).get("/api/handler-throws");
    expect(res.status).toBe(500);
    expect(res.headers["x-trace"]).toBe("one");
  });

  it("stops when a middleware answers itself", async () => {
    const res = await request(app).get("/api/answers");
    expect(res.status).toBe(403);
    expect(res.body).toStrictEqual({ message: "Refused by the wrapped middleware" });
  });

  it('falls through to 404 on next("route"), without leaving the request open or warning', async () => {
    const reqId = newRequestId("wrapped-skip");
    const res = await request(app).get("/api/skip").set("X-Request-Id", reqId).timeout(2000);
    expect(res.status).toBe(404);
    expect(res.body).toStrictEqual({ message: "Not Found" });
    expect(linesFor(logs, reqId).filter((line) => Number(line.level) >= LEVEL.warn)).toStrictEqual(
      [],
    );
  });
});
