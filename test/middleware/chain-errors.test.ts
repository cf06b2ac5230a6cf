import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";

let app: Express;
let logs: TestApp["logs"];
beforeAll(async () => {
  ({ app, logs } = await buildTestApp("mw-errors"));
});

/** The error log line written for one request, if any. */
function errorLine(reqId: string): Record<string, unknown> | undefined {
  return linesFor(logs, reqId).find((line) => line.level === LEVEL.error);
}

describe("a middleware that fails", () => {
  it.each([
    ["throws synchronously", "/api/sync-throw", "sync-throw.ts middleware exploded"],
    ["passes an error to next(err)", "/api/next-error", "next-error.ts passed an error to next"],
    ["rejects after an await", "/api/async-reject", "async-reject.ts middleware rejected"],
    [
      "fails in the middle of the chain",
      "/api/second-fails",
      "second-fails.ts: the second one fails",
    ],
  ])(
    "%s: 500 Internal Server Error, the handler never runs, the error is logged with its stack",
    async (_how, url, message) => {
      const reqId = newRequestId("mw-error");
      const res = await request(app).get(url).set("X-Request-Id", reqId);
      expect(res.status).toBe(500);
      expect(res.body).toStrictEqual({ message: "Internal Server Error" });
      const line = errorLine(reqId);
      expect(line).toBeDefined();
      expect(JSON.stringify(line)).toContain(message);
      expect((line?.err as { stack?: string } | undefined)?.stack).toContain(message);
    },
  );

  it("never reaches the middleware after the failing one", async () => {
    const res = await request(app).get("/api/second-fails");
    expect(res.status).toBe(500);
    expect(res.headers["x-third-ran"]).toBeUndefined();
  });

  it("rejecting without a reason is still a 500, not a pass", async () => {
    const res = await request(app).get("/api/reject-without-reason");
    expect(res.status).toBe(500);
    expect(res.body).toStrictEqual({ message: "Internal Server Error" });
  });

  it.each([
    ["passed to next(err)", "/api/api-error-next", 403, "Forbidden by middleware"],
    ["thrown", "/api/api-error-thrown", 429, "Slow down"],
    [
      "rejected by an async middleware",
      "/api/api-error-async",
      409,
      "Conflict from async middleware",
    ],
    ["thrown by a folder's _middleware", "/api/folder/inside", 418, "The folder says no"],
  ])("an ApiError %s answers with its status and message", async (_how, url, status, message) => {
    const res = await request(app).get(url);
    expect(res.status).toBe(status);
    expect(res.body).toStrictEqual({ message });
  });

  it("a 5xx ApiError keeps its status and message, and is logged as an error", async () => {
    const reqId = newRequestId("mw-503");
    const res = await request(app).get("/api/api-error-5xx").set("X-Request-Id", reqId);
    expect(res.status).toBe(503);
    expect(res.body).toStrictEqual({ message: "Down for maintenance" });
    expect(errorLine(reqId)).toBeDefined();
  });

  it("an endpoint's own middleware (defineRoute) fails only its method", async () => {
    const failed = await request(app).get("/api/method-route");
    expect(failed.status).toBe(500);
    const post = await request(app).post("/api/method-route");
    expect(post.status).toBe(200);
    expect(post.body).toStrictEqual({ reached: "method-route.ts POST" });
  });

  it("logs which route failed", async () => {
    const reqId = newRequestId("mw-route");
    await request(app).get("/api/next-error").set("X-Request-Id", reqId);
    expect(errorLine(reqId)?.route).toBe("next-error.ts");
  });
});

describe('next("route") in a middleware', () => {
  it.each(["/api/skip-route", "/api/skip-router", "/api/skip-async"])(
    "falls through to 404 for %s",
    async (url) => {
      const res = await request(app).get(url);
      expect(res.status).toBe(404);
      expect(res.body).toStrictEqual({ message: "Not Found" });
    },
  );

  it("logs nothing at error level: falling through is not a failure", async () => {
    const reqId = newRequestId("mw-skip");
    await request(app).get("/api/skip-route").set("X-Request-Id", reqId);
    expect(errorLine(reqId)).toBeUndefined();
  });
});
