import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";
import { listen, rawRequest, type RawResponse } from "../helpers/raw-http";

const JSON_TYPE = "application/json; charset=utf-8";

let app: Express;
let logs: TestApp["logs"];
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  ({ app, logs } = await buildTestApp("next-api"));
  server = await listen(app);
});
afterAll(() => server.close());

function get(path: string, reqId = newRequestId("errors")): Promise<RawResponse> {
  return rawRequest({ port: server.port, method: "GET", path, headers: { "X-Request-Id": reqId } });
}

function errorLines(reqId: string): Record<string, unknown>[] {
  return linesFor(logs, reqId).filter((line) => line.level === LEVEL.error);
}

describe("a handler that throws", () => {
  it.each([
    ["synchronously", "throw", "User error"],
    ["asynchronously (a rejected promise)", "reject", "Async user error"],
  ])(
    "answers 500 Internal Server Error as JSON when it throws %s",
    async (_name, route, message) => {
      const reqId = newRequestId(route);
      const res = await get(`/api/errors/${route}`, reqId);
      expect(res.status).toBe(500);
      expect(res.statusMessage).toBe("Internal Server Error");
      expect(res.headers["content-type"]).toBe(JSON_TYPE);
      expect(JSON.parse(res.body.toString())).toStrictEqual({ message: "Internal Server Error" });

      const [line, ...others] = errorLines(reqId);
      expect(others).toHaveLength(0);
      expect(line).toMatchObject({
        reqId,
        route: `errors/${route}.ts`,
        err: { type: "Error", message },
      });
      expect((line.err as { stack: string }).stack).toMatch(
        new RegExp(`${message}\\n\\s+at .*errors/${route}\\.ts`),
      );
    },
  );

  it("ignores statusCode, status and expose on an ordinary error: 500", async () => {
    const res = await request(app).get("/api/errors/status-code");
    expect(res.status).toBe(500);
    expect(res.body).toStrictEqual({ message: "Internal Server Error" });
  });

  it("keeps the status and message of an ApiError", async () => {
    const res = await get("/api/errors/api-error");
    expect(res.status).toBe(418);
    expect(res.statusMessage).toBe("teapot");
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(JSON.parse(res.body.toString())).toStrictEqual({ message: "teapot" });
  });

  it.each([
    ["an ApiError whose status Node cannot write", "api-error-bad-status"],
    ["a thrown value that is not an Error", "throw-string"],
  ])("answers a JSON 500 for %s", async (_name, route) => {
    const reqId = newRequestId(route);
    const res = await request(app).get(`/api/errors/${route}`).set("X-Request-Id", reqId);
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(res.body).toStrictEqual({ message: "Internal Server Error" });
    expect(errorLines(reqId)).toHaveLength(1);
  });

  it("keeps the status and message of a 5xx ApiError, and logs it", async () => {
    const reqId = newRequestId("api-error-5xx");
    const res = await request(app).get("/api/errors/api-error-5xx").set("X-Request-Id", reqId);
    expect(res.status).toBe(503);
    expect(res.body).toStrictEqual({ message: "Down for maintenance" });
    expect(errorLines(reqId)).toHaveLength(1);
  });

  it("treats an explicit res.status(500).json(…) as a normal response, logging no error", async () => {
    const reqId = newRequestId("custom");
    const res = await request(app).get("/api/errors/custom").set("X-Request-Id", reqId);
    expect(res.status).toBe(500);
    expect(res.body).toStrictEqual({ error: "Server error!" });
    expect(errorLines(reqId)).toHaveLength(0);
  });
});

describe("an error after the response was sent", () => {
  it.each([
    ["a sync throw", "after-send", "thrown after the response was sent"],
    ["an async rejection", "after-send-async", "rejected after the response was sent"],
    ["a second res.json", "write-twice", "Cannot write the response: it was already sent"],
  ])(
    "leaves the client its first response after %s, logs it, and keeps serving",
    async (_name, route, message) => {
      const reqId = newRequestId(route);
      const res = await get(`/api/errors/${route}`, reqId);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())).toStrictEqual(
        route === "write-twice" ? { first: true } : { ok: true },
      );

      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(errorLines(reqId)).toContainEqual(
        expect.objectContaining({
          err: expect.objectContaining({ message: expect.stringContaining(message) }),
        }),
      );

      const next = await get("/api/json/hello");
      expect(next.status).toBe(200);
    },
  );
});
