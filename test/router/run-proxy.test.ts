import http from "node:http";
import type { AddressInfo } from "node:net";
import { eventually, startHostileServer, type HostileServer } from "../hostile/support";

// A project's proxy.ts run by the real server process over real HTTP, in front of every route
// style (pages, edge, app) and the 404. Expected values as `next start` (Next 16.5) answers them:
// ../shared/NEXT-REQUEST-LAYER.md. Fixture: test/fixtures/proxy-basic.

let server: HostileServer;
let upstream: http.Server;
let upstreamUrl: string;
const received: {
  method?: string;
  url?: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ method: req.method, url: req.url, body, headers: req.headers });
      res.setHeader("x-upstream", "yes");
      res.setHeader("content-type", "text/plain");
      res.end(`upstream saw ${req.method} ${req.url} ${body}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  server = await startHostileServer("proxy-basic/routes", { LOG_LEVEL: "info" });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => upstream.close(resolve));
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(server.url(path), { redirect: "manual", ...init });
type Echo = {
  file: string;
  url: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  cookies: unknown;
  requestHeaders?: Record<string, string>;
};
const internal = (res: Response) =>
  [...res.headers.keys()].filter((name) => name.startsWith("x-middleware-"));

describe("what the proxy returns", () => {
  it("a Response is the answer: the route never runs", async () => {
    const res = await call("/api/blocked");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: "blocked by proxy" });
  });

  it("nothing continues to the route", async () => {
    const res = await call("/api/plain?a=1");
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).file).toBe("plain.ts");
  });

  it("NextResponse.next() continues, its response headers merged into the route's answer", async () => {
    const res = await call("/api/echo");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-proxy-ran")).toBe("/api/echo");
    expect(((await res.json()) as Echo).file).toBe("echo.ts");
    expect(internal(res)).toEqual([]);
  });

  it("runs before the 404 too, whose answer carries its headers", async () => {
    const res = await call("/api/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-proxy-ran")).toBe("/api/nothing-here");
  });

  it("NextResponse.redirect: 307 with a relative Location for the same origin, the Location as body", async () => {
    const res = await call("/api/go");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/api/echo?from=redirect");
    expect(await res.text()).toBe("/api/echo?from=redirect");
  });

  it("a 308 to another origin keeps its absolute Location and gets Refresh", async () => {
    const res = await call("/api/go-away");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://example.com/elsewhere");
    expect(res.headers.get("refresh")).toBe("0;url=https://example.com/elsewhere");
  });

  it("NextResponse.rewrite to a pages route: its query is the destination's, its req.url the client's (Next 16.5)", async () => {
    const res = await call("/api/rewrite-me?q=kept");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Echo;
    expect(body.file).toBe("echo.ts");
    expect(body.query).toEqual({ added: "1" });
    expect(body.url).toBe("/api/rewrite-me?q=kept");
    expect(internal(res)).toEqual([]);
  });

  it("NextResponse.rewrite to an app route", async () => {
    const res = await call("/api/rewrite-app");
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).file).toBe("app/echo/route.ts");
  });

  it("NextResponse.rewrite to another origin proxies it, the body streamed both ways", async () => {
    const res = await call("/api/external?y=2", {
      method: "POST",
      headers: { "x-upstream": upstreamUrl, "content-type": "text/plain" },
      body: "hello upstream",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.text()).toBe("upstream saw POST /upstream/path?x=1 hello upstream");
    expect(received.at(-1)?.headers["x-upstream"]).toBe(upstreamUrl);
  });

  it("an external rewrite adds X-Forwarded-Host, -Port, -Proto and -For as Next's http-proxy (xfwd)", async () => {
    await call("/api/external", {
      method: "POST",
      headers: { "x-upstream": upstreamUrl, "x-forwarded-for": "203.0.113.9" },
      body: "x",
    });
    const headers = received.at(-1)?.headers ?? {};
    expect(headers["x-forwarded-host"]).toBe(`127.0.0.1:${server.port}`);
    expect(headers["x-forwarded-port"]).toBe(String(server.port));
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9,127.0.0.1");
  });

  it.each([
    ["a pages route", "/api/read-body", "read-body.ts"],
    ["an app route", "/app/read-body", "app/read-body/route.ts"],
  ])("a body the proxy reads still reaches %s", async (_what, path, file) => {
    const res = await call(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ big: "x".repeat(200_000) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-proxy-read")).toBe("200010 characters");
    const body = (await res.json()) as { file: string; body: { big: string } };
    expect(body.file).toBe(file);
    expect(body.body.big).toHaveLength(200_000);
  });

  it("a throw is a 500, logged with the file", async () => {
    const res = await call("/api/throw");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error" });
    await eventually(
      () => JSON.stringify(server.logLines()).includes("proxy.ts threw: answering 500"),
      10_000,
      "the log line",
    );
    const line = server.logLines().find((entry) => String(entry.msg).includes("proxy.ts threw"));
    expect(line?.file).toMatch(/proxy-basic\/proxy\.ts$/);
    expect(JSON.stringify(line?.err)).toContain("proxy failure for the test");
  });

  it("event.waitUntil work runs", async () => {
    const before = received.filter((r) => r.url === "/waited").length;
    const res = await call("/api/wait", { headers: { "x-upstream": upstreamUrl } });
    expect(res.status).toBe(200);
    await eventually(() => received.filter((r) => r.url === "/waited").length > before, 10_000);
  });
});

describe("NextResponse.next({ request: { headers } })", () => {
  const send = { "x-remove-me": "gone", "x-keep": "kept", cookie: "a=1" };

  it("a pages route sees exactly that header list, and the cookies set on the request", async () => {
    const res = await call("/api/override", { headers: send });
    const body = (await res.json()) as Echo;
    expect(body.headers["x-from-proxy"]).toBe("yes");
    expect(body.headers["x-keep"]).toBe("kept");
    expect(body.headers).not.toHaveProperty("x-remove-me");
    expect(Object.keys(body.headers).filter((name) => name.startsWith("x-middleware"))).toEqual([]);
    expect(body.cookies).toEqual({ a: "1", "from-proxy": "1" });
    expect(res.headers.get("x-proxy-response")).toBe("1");
    expect(res.headers.get("set-cookie")).toBe("proxy-cookie=set; Path=/");
    expect(internal(res)).toEqual([]);
  });

  it("an app route sees it in headers(), request.headers and cookies()", async () => {
    const res = await call("/app/echo", { headers: send });
    const body = (await res.json()) as Echo & { cookies: { name: string; value: string }[] };
    expect(body.headers["x-from-proxy"]).toBe("yes");
    expect(body.headers).not.toHaveProperty("x-remove-me");
    expect(body.requestHeaders?.["x-from-proxy"]).toBe("yes");
    // Next's route-handler cookies() is a ResponseCookies filled from the request's: path "/".
    expect(body.cookies).toEqual([
      { name: "a", value: "1", path: "/" },
      { name: "from-proxy", value: "1", path: "/" },
    ]);
    expect(res.headers.get("set-cookie")).toBe("proxy-cookie=set; Path=/");
  });

  it("an edge route sees it on its request", async () => {
    const res = await call("/api/edge", { headers: send });
    const body = (await res.json()) as Echo;
    expect(body.file).toBe("edge.ts");
    expect(body.headers["x-from-proxy"]).toBe("yes");
    expect(body.headers).not.toHaveProperty("x-remove-me");
  });
});

describe("config.matcher", () => {
  it("a path no entry selects does not run the proxy", async () => {
    const res = await call("/elsewhere");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-proxy-ran")).toBeNull();
  });

  it("an entry selects a percent-encoded path by its decoded form too", async () => {
    const res = await call("/%61pi/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("x-proxy-ran")).toBe("/%61pi/nothing-here");
  });

  it("an entry with `has` runs only when the condition holds", async () => {
    expect((await call("/gated/x")).headers.get("x-proxy-ran")).toBeNull();
    const res = await call("/gated/x", { headers: { "x-let-in": "1" } });
    expect(res.headers.get("x-proxy-ran")).toBe("/gated/x");
  });

  it("x-middleware-subrequest from a client does not skip the proxy (CVE-2025-29927)", async () => {
    const res = await call("/api/blocked", {
      headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy:middleware:middleware" },
    });
    expect(res.status).toBe(403);
  });
});
