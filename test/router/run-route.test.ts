import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";
import { listen, rawRequest, respondsWithin } from "../helpers/raw-http";

const MIB = 1024 * 1024;
const NO_RESPONSE = "API resolved without sending a response";

let app: Express;
let logs: TestApp["logs"];
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  ({ app, logs } = await buildTestApp("next-api"));
  server = await listen(app);
});
afterAll(() => server.close());

function warnings(reqId: string): string[] {
  return linesFor(logs, reqId)
    .filter((line) => line.level === LEVEL.warn)
    .map((line) => String(line.msg));
}

describe("methods", () => {
  it.each(["get", "post", "put", "patch", "delete", "options", "propfind"] as const)(
    "sends %s to the handler",
    async (method) => {
      const res = await request(app)[method]("/api/method");
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({ method: method.toUpperCase() });
    },
  );

  it("answers OPTIONS with nothing of its own: no Allow, no CORS headers", async () => {
    const res = await request(app).options("/api/method");
    expect(res.headers.allow).toBeUndefined();
    expect(
      Object.keys(res.headers).filter((name) => name.startsWith("access-control-")),
    ).toStrictEqual([]);
  });

  it("runs the handler for HEAD and sends GET's headers without a body", async () => {
    const res = await rawRequest({ port: server.port, method: "HEAD", path: "/api/method" });
    expect(res.status).toBe(200);
    expect(res.headers["x-method"]).toBe("HEAD");
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["content-length"]).toBe(String(JSON.stringify({ method: "HEAD" }).length));
    expect(res.headers.etag).toBeDefined();
    expect(res.body.length).toBe(0);
  });
});

describe("a handler that resolves without answering", () => {
  it("leaves the request open and warns", async () => {
    const reqId = newRequestId("never");
    expect(
      await respondsWithin(server.port, "/api/lifecycle/never?x=1", 300, { "X-Request-Id": reqId }),
    ).toBe(false);
    expect(warnings(reqId)).toStrictEqual([
      `${NO_RESPONSE} for /api/lifecycle/never?x=1, this may result in stalled requests.`,
    ]);
  });

  it("does not warn with config.api.externalResolver", async () => {
    const reqId = newRequestId("never-external");
    expect(
      await respondsWithin(server.port, "/api/lifecycle/never-external", 300, {
        "X-Request-Id": reqId,
      }),
    ).toBe(false);
    expect(warnings(reqId)).toStrictEqual([]);
  });

  it("answers later from a timer, with Next's (false positive) warning", async () => {
    const reqId = newRequestId("late");
    const res = await request(app).get("/api/lifecycle/late").set("X-Request-Id", reqId);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ late: true });
    expect(warnings(reqId)).toStrictEqual([expect.stringContaining(NO_RESPONSE)]);
  });

  it("answers later from a timer without a warning under externalResolver", async () => {
    const reqId = newRequestId("late-external");
    const res = await request(app).get("/api/lifecycle/late-external").set("X-Request-Id", reqId);
    expect(res.body).toStrictEqual({ late: true });
    expect(warnings(reqId)).toStrictEqual([]);
  });

  it("does not warn when the response is being piped", async () => {
    const reqId = newRequestId("piped");
    const res = await request(app).get("/api/lifecycle/piped").set("X-Request-Id", reqId);
    expect(res.text).toBe("chunk1 chunk2 chunk3 ");
    expect(warnings(reqId)).toStrictEqual([]);
  });
});

describe("config.api.responseLimit", () => {
  async function fetchSize(
    route: string,
    size: number,
  ): Promise<{ length: number; warnings: string[] }> {
    const reqId = newRequestId(`limit-${route}`);
    const res = await rawRequest({
      port: server.port,
      method: "GET",
      path: `/api/response-limit/${route}?size=${size}`,
      headers: { "X-Request-Id": reqId },
    });
    expect(res.status).toBe(200);
    return { length: res.body.length, warnings: warnings(reqId) };
  }

  it("warns by default once 4 MiB are sent, and still sends everything", async () => {
    const { length, warnings: warned } = await fetchSize("default", 4 * MIB);
    expect(length).toBe(4 * MIB);
    expect(warned).toStrictEqual([
      `API response for /api/response-limit/default?size=${4 * MIB} exceeds 4MB. API Routes are meant to respond quickly. ` +
        "https://nextjs.org/docs/messages/api-routes-response-size-limit",
    ]);
  });

  it("does not warn by default one byte under 4 MiB", async () => {
    const { length, warnings: warned } = await fetchSize("default", 4 * MIB - 1);
    expect(length).toBe(4 * MIB - 1);
    expect(warned).toStrictEqual([]);
  });

  it("never warns when false", async () => {
    const { length, warnings: warned } = await fetchSize("off", 5 * MIB);
    expect(length).toBe(5 * MIB);
    expect(warned).toStrictEqual([]);
  });

  it.each([
    [1023, []],
    [1024, [expect.stringContaining("exceeds 1KB")]],
    [70_000, [expect.stringContaining("exceeds 1KB")]],
  ])('warns past a configured "1kb" (%i bytes)', async (size, expected) => {
    const { length, warnings: warned } = await fetchSize("1kb", size);
    expect(length).toBe(size);
    expect(warned).toStrictEqual(expected);
  });
});

describe("a pages route reached by a next.config rewrite", () => {
  // Loaded routes and lazy ones (nextpress dev: a route's kind is known once it is imported).
  it.each([false, true])(
    "sees the client's req.url and the destination's query, a catch-all as an array (lazy: %s)",
    async (lazyRoutes) => {
      const { app: rewriting } = await buildTestApp(
        "next-config-basic/routes",
        { LOG_LEVEL: "silent" },
        { lazyRoutes },
      );
      const legacy = await request(rewriting).get("/legacy/a/b?x=1");
      expect(legacy.body).toEqual({
        file: "echo.ts",
        url: "/legacy/a/b?x=1",
        query: { x: "1", rest: ["a", "b"] },
      });
      const shadowed = await request(rewriting).get("/api/shadowed?q=1");
      expect(shadowed.body).toMatchObject({
        url: "/api/shadowed?q=1",
        query: { q: "1", via: "beforeFiles" },
      });
    },
  );
});
