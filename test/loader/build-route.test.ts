import type { Express } from "express";
import request from "supertest";
import { z } from "zod";
import { InvalidRouteError, RouteLoadError } from "../../src/errors";
import { buildEndpoints } from "../../src/loader/build-route";
import type { DirectoryMiddleware } from "../../src/loader/directory-middleware";
import type { RouteModule } from "../../src/loader/import-route";
import { loadRoutes } from "../../src/loader/load-routes";
import { resolveRouteSettings } from "../../src/loader/route-config";
import type { Middleware, NextApiHandler } from "../../src/types";
import { buildTestApp, fixture } from "../helpers/app";
import { listen, rawRequest } from "../helpers/raw-http";

const settings = resolveRouteSettings(undefined, "1mb");
const handler = (): NextApiHandler => () => undefined;
const mw = (name: string): Middleware =>
  Object.defineProperty((_req, _res, next) => next(), "name", { value: name });

function routeModule(parts: Partial<RouteModule>): RouteModule {
  return { methods: {}, middleware: undefined, schema: undefined, config: undefined, ...parts };
}

async function loadError(name: string): Promise<RouteLoadError> {
  const error: unknown = await loadRoutes(fixture(name), { bodyLimit: "1mb" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RouteLoadError))
    throw new Error(`expected ${name} to fail with a RouteLoadError`);
  return error;
}

describe("buildEndpoints: which export answers which method", () => {
  it.each<[string, string, Partial<RouteModule["methods"]>]>([
    ["GET alone", "GET, HEAD, OPTIONS", { GET: handler() }],
    [
      "methods declared out of order",
      "GET, HEAD, POST, DELETE, OPTIONS",
      { DELETE: handler(), GET: handler(), POST: handler() },
    ],
    ["no GET, so no HEAD", "PUT, PATCH, OPTIONS", { PUT: handler(), PATCH: handler() }],
    ["HEAD without GET", "HEAD, OPTIONS", { HEAD: handler() }],
    ["OPTIONS exported", "POST, OPTIONS", { OPTIONS: handler(), POST: handler() }],
    [
      "every method",
      "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
      {
        OPTIONS: handler(),
        DELETE: handler(),
        PATCH: handler(),
        PUT: handler(),
        POST: handler(),
        HEAD: handler(),
        GET: handler(),
      },
    ],
  ])("%s: Allow is %j", (_case, allow, methods) => {
    expect(buildEndpoints(routeModule({ methods }), settings, []).allow).toBe(allow);
  });

  it("runs GET's handler for HEAD unless HEAD is exported", () => {
    const GET = handler();
    const HEAD = handler();
    expect(
      buildEndpoints(routeModule({ methods: { GET } }), settings, []).byMethod.get("HEAD")?.handler,
    ).toBe(GET);
    expect(
      buildEndpoints(routeModule({ methods: { GET, HEAD } }), settings, []).byMethod.get("HEAD")
        ?.handler,
    ).toBe(HEAD);
  });

  it("leaves unexported methods to nextpress (405 / automatic OPTIONS) when there is no default export", () => {
    const endpoints = buildEndpoints(routeModule({ methods: { POST: handler() } }), settings, []);
    expect(endpoints.byMethod.get("GET")?.handler).toBeUndefined();
    expect(endpoints.byMethod.get("OPTIONS")?.handler).toBeUndefined();
    expect(endpoints.fallback.handler).toBeUndefined();
    expect(endpoints.methods).toStrictEqual(["POST"]);
  });

  it("sends every method not exported to the default export, and never answers 405 itself", () => {
    const main = handler();
    const POST = handler();
    const endpoints = buildEndpoints(
      routeModule({ handler: main, methods: { POST } }),
      settings,
      [],
    );
    expect(endpoints.allow).toBeUndefined();
    expect(endpoints.byMethod.get("POST")?.handler).toBe(POST);
    for (const method of ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(endpoints.byMethod.get(method)?.handler).toBe(main);
    }
    expect(endpoints.fallback.handler).toBe(main);
  });

  it("gives a default-export-only route no method list and no Allow", () => {
    const endpoints = buildEndpoints(routeModule({ handler: handler() }), settings, []);
    expect(endpoints.methods).toStrictEqual([]);
    expect(endpoints.allow).toBeUndefined();
  });
});

describe("buildEndpoints: middleware and schemas", () => {
  const folder = (dir: string, ...names: string[]): DirectoryMiddleware => ({
    dir,
    file: `${dir}/_middleware.ts`,
    middleware: names.map(mw),
  });

  it("chains the folders' middleware, in the order given, then the file's", () => {
    const endpoints = buildEndpoints(
      routeModule({ handler: handler(), middleware: [mw("own")] }),
      settings,
      [folder("", "root"), folder("a", "a1", "a2")],
    );
    expect(endpoints.chain.map((fn) => fn.name)).toStrictEqual(["root", "a1", "a2", "own"]);
    expect(endpoints.fileMiddleware.map((fn) => fn.name)).toStrictEqual(["own"]);
  });

  it("drops the folders' middleware when config.middleware.inherit is false", () => {
    const optOut = resolveRouteSettings({ middleware: { inherit: false } }, "1mb");
    const endpoints = buildEndpoints(
      routeModule({ handler: handler(), middleware: mw("own") }),
      optOut,
      [folder("", "root")],
    );
    expect(endpoints.chain.map((fn) => fn.name)).toStrictEqual(["own"]);
    expect(endpoints.directoryMiddleware).toStrictEqual([]);
  });

  it("does not count CommonJS `module.exports.middleware` twice, as the file's and the handler's", () => {
    const list = [mw("own")];
    const main = Object.assign(handler(), { middleware: list });
    const endpoints = buildEndpoints(
      routeModule({ handler: main, middleware: list }),
      settings,
      [],
    );
    expect(endpoints.chain).toStrictEqual(list);
    expect(endpoints.byMethod.get("GET")?.middleware).toStrictEqual([]);
  });

  it("keeps the chain it built when the exported array changes later", () => {
    const fileList = [mw("a")];
    const endpointList = [mw("b")];
    const POST = Object.assign(handler(), { middleware: endpointList });
    const endpoints = buildEndpoints(
      routeModule({ methods: { POST }, middleware: fileList }),
      settings,
      [],
    );
    fileList.push(mw("late-file"));
    endpointList.push(mw("late-endpoint"));
    expect(endpoints.chain.map((fn) => fn.name)).toStrictEqual(["a"]);
    expect(endpoints.byMethod.get("POST")?.middleware.map((fn) => fn.name)).toStrictEqual(["b"]);
  });

  it("gives each method its schema from `schema.<METHOD>`, HEAD GET's, and unlisted methods none", () => {
    const GET = { query: z.object({}) };
    const POST = { body: z.object({}) };
    const endpoints = buildEndpoints(
      routeModule({
        methods: { GET: handler(), POST: handler(), DELETE: handler() },
        schema: { GET, POST },
      }),
      settings,
      [],
    );
    expect(endpoints.byMethod.get("GET")?.schema).toBe(GET);
    expect(endpoints.byMethod.get("HEAD")?.schema).toBe(GET);
    expect(endpoints.byMethod.get("POST")?.schema).toBe(POST);
    expect(endpoints.byMethod.get("DELETE")?.schema).toBeUndefined();
  });

  it("lets a handler's own schema (defineRoute) win over the file's", () => {
    const own = { body: z.object({ own: z.string() }) };
    const file = { body: z.object({ file: z.string() }) };
    const POST = Object.assign(handler(), { schema: own });
    const endpoints = buildEndpoints(
      routeModule({ methods: { POST, PUT: handler() }, schema: file }),
      settings,
      [],
    );
    expect(endpoints.byMethod.get("POST")?.schema).toBe(own);
    expect(endpoints.byMethod.get("PUT")?.schema).toBe(file);
  });
});

describe("buildEndpoints: exports it refuses, with the fix", () => {
  it.each<[string, Partial<RouteModule>, RegExp]>([
    [
      "no handler at all",
      { middleware: [mw("a")] },
      /has no default-exported function and no method exports/,
    ],
    [
      "a method export that is an object",
      { methods: { GET: {} as NextApiHandler } },
      /`export const GET` is not a function/,
    ],
    [
      "a method export that is null",
      { methods: { POST: null as unknown as NextApiHandler } },
      /`export const POST` is not a function/,
    ],
    [
      "a middleware export that is a string",
      { handler: handler(), middleware: "auth" },
      /`export const middleware` is not a middleware function/,
    ],
    [
      "a middleware array holding a number",
      { handler: handler(), middleware: [mw("a"), 42] },
      /`export const middleware`\[1\] is not a middleware function/,
    ],
    [
      "a middleware export that is an object",
      { handler: handler(), middleware: { a: mw("a") } },
      /`export const middleware` is not a middleware function/,
    ],
    [
      "a schema for a method without a handler",
      { methods: { GET: handler() }, schema: { PUT: { body: z.object({}) } } },
      /`schema.PUT` has no PUT handler/,
    ],
    [
      "an endpoint's own middleware that is not a function",
      { methods: { POST: Object.assign(handler(), { middleware: ["x"] }) } },
      /POST.middleware\[0\] is not a middleware function/,
    ],
    [
      "an endpoint's own schema that is not zod",
      { methods: { POST: Object.assign(handler(), { schema: { body: { type: "object" } } }) } },
      /invalid `POST.schema.body`: is not a zod schema/,
    ],
  ])("%s", (_case, parts, message) => {
    expect(() => buildEndpoints(routeModule(parts), settings, [])).toThrow(InvalidRouteError);
    expect(() => buildEndpoints(routeModule(parts), settings, [])).toThrow(message);
  });
});

describe("start-up stops, naming each file, for unusable exports", () => {
  it("reports every bad `middleware` export at once, and nothing about the good file", async () => {
    const error = await loadError("mw-bad-exports");
    expect(error.problems).toStrictEqual([
      {
        files: ["array-with-number.ts"],
        reason: expect.stringMatching(
          /^`export const middleware`\[1\] is not a middleware function/,
        ),
      },
      {
        files: ["endpoint.ts"],
        reason: expect.stringMatching(/^POST\.middleware\[0\] is not a middleware function/),
      },
      {
        files: ["null.ts"],
        reason: expect.stringMatching(/^`export const middleware` is not a middleware function/),
      },
      {
        files: ["object.ts"],
        reason: expect.stringMatching(/^`export const middleware` is not a middleware function/),
      },
      {
        files: ["string.ts"],
        reason: expect.stringMatching(/^`export const middleware` is not a middleware function/),
      },
    ]);
    expect(error.message).toContain(
      "  - string.ts: `export const middleware` is not a middleware function: export a (req, res, next) function or an array of them",
    );
    expect(error.message).not.toContain("fine.ts");
  });

  it("reports every method export that is not a function, and a file with only middleware", async () => {
    const error = await loadError("methods-bad");
    expect(error.problems).toStrictEqual([
      {
        files: ["middleware-only.ts"],
        reason: expect.stringMatching(/^has no default-exported function and no method exports/),
      },
      {
        files: ["null-post.ts"],
        reason: "`export const POST` is not a function: export a (req, res) handler",
      },
      {
        files: ["object-get.ts"],
        reason: "`export const GET` is not a function: export a (req, res) handler",
      },
      {
        files: ["string-delete.ts"],
        reason: "`export const DELETE` is not a function: export a (req, res) handler",
      },
    ]);
  });
});

describe("method exports over HTTP", () => {
  let app: Express;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    ({ app } = await buildTestApp("methods-only"));
    server = await listen(app);
  });
  afterAll(() => server.close());

  it.each([
    ["get", "GET"],
    ["post", "POST"],
    ["delete", "DELETE"],
  ] as const)("sends %s to its export", async (method, name) => {
    const res = await request(app)[method]("/api");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: "index.ts", handler: name, method: name });
  });

  it.each([
    ["put", "/api", "GET, HEAD, POST, DELETE, OPTIONS"],
    ["patch", "/api", "GET, HEAD, POST, DELETE, OPTIONS"],
    ["get", "/api/writes", "PUT, PATCH, OPTIONS"],
    ["delete", "/api/with-options", "GET, HEAD, OPTIONS"],
    ["propfind", "/api/all", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"],
    ["delete", "/api/commonjs", "GET, HEAD, POST, OPTIONS"],
  ] as const)("answers %s %s with 405 and exactly Allow: %s", async (method, url, allow) => {
    const res = await request(app)[method](url);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toStrictEqual({ message: "Method Not Allowed" });
  });

  it("sends HEAD to GET, which answers with its headers and length but no body", async () => {
    const head = await rawRequest({ port: server.port, method: "HEAD", path: "/api" });
    expect(head.status).toBe(200);
    expect(head.headers["x-handler"]).toBe("GET");
    expect(head.headers["content-type"]).toBe("application/json; charset=utf-8");
    const wouldSend = JSON.stringify({ file: "index.ts", handler: "GET", method: "HEAD" });
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(wouldSend)));
    expect(head.headers.etag).toBeDefined();
    expect(head.body.length).toBe(0);
  });

  it("sends HEAD to an exported HEAD rather than GET", async () => {
    const head = await rawRequest({ port: server.port, method: "HEAD", path: "/api/with-head" });
    expect(head.status).toBe(204);
    expect(head.headers["x-handler"]).toBe("HEAD");
  });

  it("answers HEAD with 405 where there is no GET", async () => {
    const head = await rawRequest({ port: server.port, method: "HEAD", path: "/api/writes" });
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe("PUT, PATCH, OPTIONS");
    expect(head.body.length).toBe(0);
  });

  it("serves a route that exports HEAD alone, and 405s its GET", async () => {
    expect(
      (await rawRequest({ port: server.port, method: "HEAD", path: "/api/head-only" })).headers[
        "x-handler"
      ],
    ).toBe("HEAD");
    const get = await request(app).get("/api/head-only");
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("HEAD, OPTIONS");
  });

  it("answers OPTIONS itself with 204, Allow and no body when OPTIONS is not exported", async () => {
    const res = await rawRequest({ port: server.port, method: "OPTIONS", path: "/api" });
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe("GET, HEAD, POST, DELETE, OPTIONS");
    expect(res.body.length).toBe(0);
  });

  it("runs an exported OPTIONS handler instead", async () => {
    const res = await request(app).options("/api/with-options");
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe("GET, OPTIONS, TRACE");
    expect(res.body).toStrictEqual({ file: "with-options.ts", handler: "OPTIONS" });
  });

  it("awaits an async method export, and passes its ApiError on", async () => {
    expect((await request(app).get("/api/async")).body).toStrictEqual({
      file: "async.ts",
      handler: "GET",
    });
    const res = await request(app).delete("/api/async");
    expect(res.status).toBe(409);
    expect(res.body).toStrictEqual({ message: "Cannot delete this" });
  });

  it("finds method exports in CommonJS (exports.GET) and ESM (.mjs) files", async () => {
    expect((await request(app).post("/api/commonjs")).body).toStrictEqual({
      file: "commonjs.cjs",
      handler: "POST",
      method: "POST",
    });
    expect((await request(app).put("/api/esm")).body).toStrictEqual({
      file: "esm.mjs",
      handler: "PUT",
      method: "PUT",
    });
    const res = await request(app).get("/api/esm");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("PUT, OPTIONS");
  });
});

describe("a default export beside method exports", () => {
  let app: Express;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    ({ app } = await buildTestApp("methods-mixed"));
    server = await listen(app);
  });
  afterAll(() => server.close());

  it.each([
    ["post", "POST"],
    ["delete", "DELETE"],
  ] as const)("sends %s to its export", async (method, name) => {
    expect((await request(app)[method]("/api/mixed")).body).toStrictEqual({
      file: "mixed.ts",
      handler: name,
      method: name,
    });
  });

  it.each(["get", "put", "patch", "options", "propfind"] as const)(
    "sends %s to the default export, never 405",
    async (method) => {
      const res = await request(app)[method]("/api/mixed");
      expect(res.status).toBe(200);
      expect(res.headers.allow).toBeUndefined();
      expect(res.body).toStrictEqual({
        file: "mixed.ts",
        handler: "default",
        method: method.toUpperCase(),
      });
    },
  );

  it("sends HEAD to the default export when GET is not exported, and to GET when it is", async () => {
    const toDefault = await rawRequest({ port: server.port, method: "HEAD", path: "/api/mixed" });
    expect(toDefault.status).toBe(200);
    const toGet = await rawRequest({ port: server.port, method: "HEAD", path: "/api/mixed-get" });
    expect(toGet.headers["x-handler"]).toBe("GET");
    expect(toGet.body.length).toBe(0);
    expect((await request(app).post("/api/mixed-get")).body.handler).toBe("default");
  });

  it.each(["get", "post", "put", "delete", "options", "propfind"] as const)(
    "keeps Next's behaviour for a default export alone: %s reaches it",
    async (method) => {
      const res = await request(app)[method]("/api/default-only");
      expect(res.status).toBe(200);
      expect(res.headers.allow).toBeUndefined();
      expect(res.body).toStrictEqual({
        file: "default-only.ts",
        handler: "default",
        method: method.toUpperCase(),
      });
    },
  );
});
