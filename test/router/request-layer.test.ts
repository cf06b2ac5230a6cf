import { eventually, startHostileServer, type HostileServer } from "../hostile/support";

// next.config's request layer run by the real server process over real HTTP, in Next's order:
// slash normalisation, headers(), redirects(), the proxy, beforeFiles, files, afterFiles, dynamic
// routes, fallback. Expected values as `next start` (Next 16.5) answers them (see
// ../shared/NEXT-REQUEST-LAYER.md); the redirect rules marked so in the fixture come from Next's
// test/integration/custom-routes (next.config.js and test/index.test.js).

const echo = (res: Response) =>
  res.json() as Promise<{
    file: string;
    url?: string;
    query?: Record<string, unknown>;
    id?: string;
  }>;

describe("next.config.mjs: headers, redirects, rewrites", () => {
  let server: HostileServer;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(server.url(path), { redirect: "manual", ...init });

  beforeAll(async () => {
    server = await startHostileServer("next-config-basic/routes", { LOG_LEVEL: "info" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("lists the keys it does not apply once, at info", async () => {
    await eventually(
      () => server.logLines().some((line) => String(line.msg).startsWith("next.config keys")),
      10_000,
    );
    const line = server
      .logLines()
      .find((entry) => String(entry.msg).startsWith("next.config keys"));
    expect(line?.keys).toEqual(["images", "experimental"]);
  });

  it("headers(): every matching rule applies, the last value for a key wins", async () => {
    const res = await call("/api/echo");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("x-rule")).toBe("second");
    expect(res.headers.get("x-debug")).toBeNull();
    expect((await call("/api/echo?debug=1")).headers.get("x-debug")).toBe("on");
  });

  it("headers(): params in keys and values, on 404s too", async () => {
    const res = await call("/api/users/7");
    expect(res.headers.get("x-user-7")).toBe("user 7");
    const missing = await call("/api/nowhere");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("redirects(): permanent → 308 with Refresh, params and the request's query carried", async () => {
    const res = await call("/api/old/42?keep=1");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/api/echo?keep=1&id=42");
    expect(res.headers.get("refresh")).toBe("0;url=/api/echo?keep=1&id=42");
    expect(await res.text()).toBe("/api/echo?keep=1&id=42");
  });

  it("redirects(): permanent false → 307, without the headers() values", async () => {
    const res = await call("/api/temp");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/api/echo");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it.each([
    ["/docs/router-status/500", 301, "/docs/v2/network/status-codes#500"],
    ["/docs/v2/advanced/now-for-github", 301, "/docs/v2/more/now-for-github"],
    ["/to-external", 307, "https://example.com/"],
  ])("redirects() from Next's custom-routes test: %s → %i %s", async (path, status, location) => {
    const res = await call(path);
    expect(res.status).toBe(status);
    expect(res.headers.get("location")).toBe(location);
  });

  it("redirects(): has with a named group carries it into the destination", async () => {
    expect((await call("/api/by-cookie")).status).toBe(404);
    const res = await call("/api/by-cookie", { headers: { cookie: "beta=yes" } });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/api/echo?variant=yes");
  });

  it("beforeFiles overrides a file route", async () => {
    const body = await echo(await call("/api/shadowed"));
    expect(body.file).toBe("echo.ts");
    expect(body.query).toEqual({ via: "beforeFiles" });
  });

  it("afterFiles never shadows an existing file", async () => {
    expect((await echo(await call("/api/hello"))).file).toBe("hello.ts");
  });

  it("afterFiles beats a dynamic route", async () => {
    const body = await echo(await call("/api/users/special"));
    expect(body.file).toBe("echo.ts");
    expect(body.query).toEqual({ via: "afterFiles" });
    expect((await echo(await call("/api/users/8"))).id).toBe("8");
  });

  it("a rewrite adds the params its destination does not use to the query, a catch-all as an array", async () => {
    const body = await echo(await call("/legacy/a/b?x=1"));
    expect(body.file).toBe("echo.ts");
    expect(body.query).toEqual({ x: "1", rest: ["a", "b"] });
  });

  it("a rewritten pages route's req.url is the client's URL, its query the destination's", async () => {
    const body = await echo(await call("/api/shadowed?q=1"));
    expect(body.file).toBe("echo.ts");
    expect(body.url).toBe("/api/shadowed?q=1");
    expect(body.query).toEqual({ q: "1", via: "beforeFiles" });
  });

  it("fallback only when no route matches", async () => {
    const body = await echo(await call("/api/fallback/x"));
    expect(body.query).toEqual({ via: "fallback", path: ["x"] });
  });

  it("a trailing slash is a 308 to the path without it, before the redirects", async () => {
    const res = await call("/api/old/42/");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/api/old/42");
  });
});

describe("next.config.js: basePath and trailingSlash", () => {
  let server: HostileServer;
  const call = (path: string) => fetch(server.url(path), { redirect: "manual" });

  beforeAll(async () => {
    server = await startHostileServer("next-config-base/routes", { LOG_LEVEL: "info" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("serves the routes under the basePath, with the trailing slash; the route's req.url keeps it, without the basePath", async () => {
    const res = await call("/base/api/echo/?a=1");
    expect(res.status).toBe(200);
    const body = await echo(res);
    expect(body.file).toBe("echo.ts");
    expect(body.url).toBe("/api/echo/?a=1");
    expect(body.query).toEqual({ a: "1" });
    expect(res.headers.get("x-proxy-saw")).toBe("/api/echo/");
  });

  it("the proxy's nextUrl: the pathname without the basePath, basePath and href with it", async () => {
    const res = await call("/base/api/echo/?a=1");
    expect(res.headers.get("x-proxy-base-path")).toBe("/base");
    expect(res.headers.get("x-proxy-url")).toBe(server.url("/base/api/echo/?a=1"));
    expect(res.headers.get("x-proxy-href")).toBe(server.url("/base/api/echo/?a=1"));
  });

  it("a route handler's nextUrl.basePath is the basePath, its pathname without it", async () => {
    const res = await call("/base/api/web/");
    expect(await res.json()).toEqual({
      file: "app/api/web/route.ts",
      url: server.url("/base/api/web/"),
      pathname: "/api/web/",
      basePath: "/base",
    });
  });

  it("serves /docs and /openapi.json under the basePath, the document's server being it", async () => {
    const res = await call("/base/openapi.json");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { servers: unknown }).servers).toEqual([
      { url: "/base", description: "This server" },
    ]);
    expect((await call("/base/docs/")).status).toBe(200);
    expect((await call("/openapi.json")).status).toBe(404);
  });

  it("answers 404 outside the basePath, where the proxy does not run", async () => {
    const res = await call("/api/echo/");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-proxy-saw")).toBeNull();
  });

  it("trailingSlash: true redirects a path without one (308)", async () => {
    const res = await call("/base/api/echo?a=1");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/base/api/echo/?a=1");
  });

  it("redirects get the basePath unless basePath: false", async () => {
    const inside = await call("/base/old/");
    expect(inside.status).toBe(308);
    expect(inside.headers.get("location")).toBe("/base/api/echo/");
    const outside = await call("/outside/");
    expect(outside.status).toBe(307);
    expect(outside.headers.get("location")).toBe("/api/echo/");
  });
});

describe("next.config.ts (TypeScript, typed with NextConfig)", () => {
  let server: HostileServer;
  const call = (path: string) => fetch(server.url(path), { redirect: "manual" });

  beforeAll(async () => {
    server = await startHostileServer("next-config-ts/routes", { LOG_LEVEL: "info" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("applies its headers, redirects and rewrites", async () => {
    const hello = await call("/api/hello");
    expect(hello.headers.get("x-config-file")).toBe("next.config.ts");
    const redirect = await call("/api/old");
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/api/hello");
    expect(await echo(await call("/api/alias"))).toEqual({
      file: "hello.ts",
      query: { via: "rewrite" },
    });
  });
});
