import { Readable } from "node:stream";
import { exchange, head, sleep, startHostileServer, type HostileServer } from "../hostile/support";

// Next's app-router route handlers and edge pages routes, run unchanged by the real server
// process over real HTTP: the observable cases of Next's app-custom-routes and
// edge-api-endpoints-can-receive-body e2e tests, then what nextpress adds. Fixture:
// test/fixtures/web-app (app/ and routes/ side by side, next/* imported without `next`).

let server: HostileServer;
let base: string;

beforeAll(async () => {
  server = await startHostileServer("web-app/routes", {
    API_TOKENS: "web-token",
    BODY_LIMIT: "64kb",
    LOG_LEVEL: "info",
  });
  base = `http://127.0.0.1:${server.port}`;
}, 60_000);

afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

const meta = (res: Response) =>
  JSON.parse(res.headers.get("x-request-meta") ?? "{}") as Record<string, unknown>;
const withMeta = (value: Record<string, unknown>) => ({ "x-request-meta": JSON.stringify(value) });
const call = (path: string, init?: RequestInit) =>
  fetch(base + path, { redirect: "manual", ...init });
const logged = (pattern: RegExp) =>
  server.logLines().some((line) => pattern.test(JSON.stringify(line)));

async function eventuallyLogged(pattern: RegExp): Promise<void> {
  for (let i = 0; i < 80 && !logged(pattern); i++) await sleep(25);
  expect(logged(pattern)).toBe(true);
}

describe("basic fetch request with a response", () => {
  describe.each(["GET", "POST", "PUT", "DELETE", "PATCH"])("made via a %s request", (method) => {
    it.each(["/basic/endpoint", "/basic/vercel/endpoint"])(
      "responds correctly on %s",
      async (path) => {
        const res = await call(path, { method });
        expect(res.status).toBe(200);
        expect(await res.text()).toContain("hello, world");
        expect(meta(res).method).toBe(method);
      },
    );
  });

  it("routes through route groups, which are not part of the URL", async () => {
    const res = await call("/basic/endpoint/nested");
    expect(res.status).toBe(200);
    expect(meta(res).pathname).toBe("/basic/endpoint/nested");
    // Written literally, the group is a segment like any other: here the catch-all takes it (as in Next).
    expect(meta(await call("/basic/(grouped)/endpoint/nested")).params).toEqual({
      tenantID: "(grouped)",
      resource: ["endpoint", "nested"],
    });
  });

  it("reads query parameters from request.nextUrl", async () => {
    const res = await call("/advanced/query?ping=pong");
    expect(meta(res)).toEqual({ ping: "pong", search: "?ping=pong" });
  });

  it("supports NextResponse.redirect(): 307, Location, empty body", async () => {
    const res = await call("/hooks/redirect/response");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("https://nextjs.org/");
    expect(await res.text()).toBe("");
  });

  it("supports NextResponse.json(): exactly application/json", async () => {
    const res = await call("/hooks/json", { headers: withMeta({ ping: "pong" }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ ping: "pong" });
  });

  it("Response.json() read (a clone) and given a header before it is returned: all of it sent", async () => {
    const res = await call("/hooks/json/read-back");
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-copy")).toBe('{"a":1}');
    expect(await res.json()).toEqual({ a: 1 });
  });

  it("Response.json() whose body the handler read already: 500, empty", async () => {
    const res = await call("/hooks/json/read-back", { method: "POST" });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("");
    await eventuallyLogged(
      /"level":50.*already been read.*"route":"app\/hooks\/json\/read-back\/route.ts"/,
    );
  });
});

describe("body", () => {
  it("streams a streaming request body back as a streaming response", async () => {
    const lines = new Array(10).fill(JSON.stringify({ ping: "pong" }));
    let index = 0;
    const stream = new Readable({
      read() {
        this.push(index < lines.length ? `${lines[index++]}\n` : null);
      },
    });
    const res = await call("/advanced/body/streaming", {
      method: "POST",
      body: Readable.toWeb(stream) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(lines.join("\n") + "\n");
  });

  it.each([
    ["POST", { ping: "pong" }, (res: Response) => expect(meta(res).body).toEqual({ ping: "pong" })],
  ])("reads a JSON body (%s)", async (method, body, check) => {
    check(await call("/advanced/body/json", { method, body: JSON.stringify(body) }));
  });

  it.each([
    ["DELETE", "foo", "delete foo"],
    ["OPTIONS", "bar", "options bar"],
  ])("reads a JSON body on %s too", async (method, name, answer) => {
    const res = await call("/advanced/body/json", { method, body: JSON.stringify({ name }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(answer);
  });

  it("reads a JSON body streamed one byte at a time", async () => {
    const encoded = JSON.stringify({ ping: "pong" });
    let index = 0;
    const stream = new Readable({
      read() {
        setTimeout(() => this.push(index < encoded.length ? encoded[index++] : null), 1);
      },
    });
    const res = await call("/advanced/body/json", {
      method: "POST",
      body: Readable.toWeb(stream) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(meta(res).body).toEqual({ ping: "pong" });
  });

  it("reads a text body, and says the body was used", async () => {
    const res = await call("/advanced/body/text", { method: "POST", body: "hello, world" });
    expect(meta(res)).toEqual({ body: "hello, world", bodyUsed: true });
  });

  it("refuses a body over BODY_LIMIT with a 413 the handler did not have to catch", async () => {
    const res = await call("/advanced/body/text", { method: "POST", body: "x".repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: "Body exceeded 64kb limit" });
  });
});

describe("context", () => {
  it("provides params to routes with dynamic parameters", async () => {
    expect(meta(await call("/basic/vercel/endpoint")).params).toEqual({ tenantID: "vercel" });
  });

  it("provides params to routes with catch-all routes", async () => {
    expect(meta(await call("/basic/vercel/some/other/resource")).params).toEqual({
      tenantID: "vercel",
      resource: ["some", "other", "resource"],
    });
  });

  it("does not provide params to routes without dynamic parameters", async () => {
    const res = await call("/basic/endpoint");
    expect(res.ok).toBe(true);
    expect(meta(res).params).toBeNull();
  });
});

describe("hooks", () => {
  it("headers() reads the request's headers, and refuses to change them", async () => {
    const res = await call("/hooks/headers", { headers: withMeta({ ping: "pong" }) });
    expect(meta(res)).toEqual({
      ping: "pong",
      readOnly:
        "Headers cannot be modified. Read more: https://nextjs.org/docs/app/api-reference/functions/headers",
    });
  });

  it("cookies() reads the request's cookies, the same as request.cookies", async () => {
    const cookie = `x-request-meta=${btoa(JSON.stringify({ ping: "pong" }))}; other=1`;
    expect(meta(await call("/hooks/cookies", { headers: { cookie } }))).toEqual({
      ping: "pong",
      viaRequest: true,
      count: 2,
    });
  });

  it('cookies() entries are Next\'s response cookies: path "/", a deleted one expired and empty', async () => {
    const res = await call("/hooks/cookies/entries", { headers: { cookie: "a=1; b=2" } });
    expect(await res.json()).toEqual({
      get: { name: "a", value: "1", path: "/" },
      getAll: [
        { name: "a", value: "1", path: "/" },
        { name: "b", value: "2", path: "/" },
      ],
      afterSet: { name: "a", value: "2", path: "/" },
      afterDelete: { name: "b", value: "", path: "/", expires: "1970-01-01T00:00:00.000Z" },
      has: true,
    });
  });

  it("cookies().has() sees a cookie the handler set", async () => {
    expect(await (await call("/hooks/cookies/has")).json()).toEqual({ hasCookie: true });
  });

  it("cookies().set() and .delete() become Set-Cookie lines, each on its own, with the response's own", async () => {
    const res = await call("/hooks/cookies/set");
    expect(res.headers.getSetCookie()).toEqual([
      "from-response=1; Path=/",
      "session=abc; Path=/; Expires=" + res.headers.getSetCookie()[1].split("Expires=")[1],
      "theme=dark; Path=/settings",
      "old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    ]);
    expect(res.headers.getSetCookie()[1]).toMatch(
      /^session=abc; Path=\/; Expires=.+; Max-Age=60; HttpOnly$/,
    );
  });

  it("redirect() is a 307 with Location and an empty body", async () => {
    const res = await call("/hooks/redirect");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("https://nextjs.org/");
    expect(await res.text()).toBe("");
  });

  it("keeps the cookies set before redirect() on the 307", async () => {
    const res = await call("/hooks/redirect/cookie");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(res.headers.getSetCookie()).toEqual(["signed-in=1; Path=/"]);
  });

  it("permanentRedirect() is a 308", async () => {
    const res = await call("/hooks/permanent-redirect");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://nextjs.org/");
  });

  it.each([
    ["/hooks/not-found", 404],
    ["/hooks/forbidden", 403],
    ["/hooks/unauthorized", 401],
  ])("%s answers %d with an empty body", async (path, status) => {
    const res = await call(path);
    expect(res.status).toBe(status);
    expect(await res.text()).toBe("");
  });

  it("runs after() once the response is out, still inside the request's scope", async () => {
    const res = await call("/hooks/after", { method: "POST", headers: { "x-tag": "t-1" } });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("accepted");
    let log: string[] = [];
    for (let i = 0; i < 40 && !log.includes("after: t-1"); i++) {
      await sleep(25);
      log = (await (await call("/hooks/after/log")).json()) as string[];
    }
    expect(log.slice(log.indexOf("handler"))).toEqual(["handler", "after: t-1"]);
  });

  it("draftMode().enable() sets Next's bypass cookie, which the next request is recognised by", async () => {
    const off = await call("/hooks/draft");
    expect(await off.json()).toEqual({ isEnabled: false });
    const on = await call("/hooks/draft?action=enable");
    expect(await on.json()).toEqual({ isEnabled: true });
    const [cookie] = on.headers.getSetCookie();
    // As Next's app router writes it (through ResponseCookies): HttpOnly, Secure, SameSite=none outside development.
    expect(cookie).toMatch(
      /^__prerender_bypass=[0-9a-f]{64}; Path=\/; Secure; HttpOnly; SameSite=none$/,
    );
    const again = await call("/hooks/draft", { headers: { cookie: cookie.split(";")[0] } });
    expect(await again.json()).toEqual({ isEnabled: true });
    const forged = await call("/hooks/draft", {
      headers: { cookie: "__prerender_bypass=0123456789abcdef0123456789abcdef" },
    });
    expect(await forged.json()).toEqual({ isEnabled: false });
  });
});

describe("error conditions", () => {
  it("answers a method token that is not an HTTP method with 400 (HEADER: Node's parser; PROPFIND: the route)", async () => {
    const { responses } = await exchange(
      server.port,
      head("HEADER /status/405 HTTP/1.1", { Connection: "close" }),
      { responses: 1 },
    );
    expect(responses[0]?.status).toBe(400);
    const res = await call("/status/405", { method: "PROPFIND" });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("");
  });

  it("answers a method the route does not export with 405, an empty body and Allow", async () => {
    const res = await call("/status/405", { method: "POST" });
    expect(res.status).toBe(405);
    expect(await res.text()).toBe("");
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  it("answers a handler that throws with 500 and an empty body, and logs the error with the route and request id", async () => {
    const res = await call("/status/500", { headers: { "x-request-id": "boom-1" } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("");
    await eventuallyLogged(
      /"reqId":"boom-1".*this is a runtime error.*"route":"app\/status\/500\/route.ts"/,
    );
  });

  it("answers NextResponse.next() with 500, and logs Next's explanation", async () => {
    const res = await call("/status/500/next");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("");
    await eventuallyLogged(/next-response-next-in-app-route-handler/);
  });

  it("logs a handler that returns no Response, naming its file", async () => {
    const res = await call("/no-response", { method: "POST" });
    expect(res.status).toBe(500);
    await eventuallyLogged(
      /No response is returned from route handler '[^']+\/no-response\/route\.ts'\. Ensure you return a `Response` or a `NextResponse` in all branches of your handler\./,
    );
  });
});

describe("automatic implementations", () => {
  it("implements HEAD with GET: the handler sees HEAD, the client no body", async () => {
    const get = await call("/methods/head");
    const res = await call("/methods/head", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(res.headers.get("x-method")).toBe("HEAD");
    expect(Number(res.headers.get("content-length"))).toBe(
      Buffer.byteLength("hello, world (HEAD)"),
    );
    expect(await get.text()).toBe("hello, world (GET)");
  });

  it("implements OPTIONS: 204 with the sorted Allow", async () => {
    const res = await call("/methods/options", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(res.headers.get("allow")).toBe("DELETE, GET, HEAD, OPTIONS, POST");
  });
});

describe("segment config", () => {
  it('dynamic = "force-static" strips search, headers and cookies from the request', async () => {
    const res = await call("/dynamic?query=true", {
      headers: { accept: "application/json", cookie: "session=true" },
    });
    const url = `http://127.0.0.1:${server.port}/dynamic`;
    expect(await res.json()).toEqual({
      nextUrl: { href: url, search: "", searchParams: null, clone: url },
      req: { url, headers: null },
      headers: null,
      cookies: null,
    });
    // Reading the emptied headers() and cookies() is no dynamic use: next start keeps its header.
    expect(res.headers.get("cache-control")).toBe("s-maxage=31536000");
  });

  it("revalidate = 60: Cache-Control with s-maxage and stale-while-revalidate, as next start sends it", async () => {
    const res = await call("/revalidate");
    expect(res.headers.get("cache-control")).toBe("s-maxage=60, stale-while-revalidate=31535940");
    expect((await call("/revalidate", { method: "HEAD" })).headers.get("cache-control")).toBe(
      "s-maxage=60, stale-while-revalidate=31535940",
    );
  });

  it("a route with revalidate that reads headers() gets no Cache-Control (it is dynamic)", async () => {
    const res = await call("/revalidate/headers");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBeNull();
  });

  it("no Cache-Control at all on a dynamic route", async () => {
    expect((await call("/basic/endpoint")).headers.get("cache-control")).toBeNull();
  });

  it("dynamicParams = false: params generateStaticParams did not list are a 404", async () => {
    expect(await (await call("/static-params/first")).json()).toEqual({ slug: "first" });
    const unknown = await call("/static-params/third");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("");
  });
});

describe("requests, responses and files as Next projects write them", () => {
  it("serves a route at a path with a dot, and one named like a metadata file", async () => {
    expect(await (await call("/api/hello.json")).json()).toEqual({ pathname: "/api/hello.json" });
    const robots = await call("/robots.txt");
    expect(robots.headers.get("content-type")).toBe("text/plain");
    expect(await robots.text()).toBe("User-agent: *\nAllow: /\n");
  });

  it.each([
    ["/cjs", { format: "commonjs", path: "/cjs" }],
    ["/mjs", { format: "esm", host: true }],
  ])(
    "loads %s, importing next/server and next/headers without the next package",
    async (path, body) => {
      expect(await (await call(path)).json()).toEqual(body);
    },
  );

  it("streams server-sent events as they are produced, each flushed on its own", async () => {
    const res = await call("/advanced/streaming?count=3&every=150");
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const arrivals: number[] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
      text += Buffer.from(value).toString();
    }
    expect(text.match(/^data: /gm)).toHaveLength(3);
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThanOrEqual(250);
  });

  it("aborts request.signal when the client goes away, with no error logged", async () => {
    const controller = new AbortController();
    const pending = call("/signal", { signal: controller.signal }).catch(
      (error: Error) => error.name,
    );
    await sleep(100);
    controller.abort();
    expect(await pending).toBe("AbortError");
    let seen: string[] = [];
    for (let i = 0; i < 40 && seen.length === 0; i++) {
      await sleep(25);
      seen = (await (await call("/signal?report=1")).json()) as string[];
    }
    expect(seen).toEqual(["aborted: AbortError"]);
    expect(server.logLines().filter((line) => (line.level as number) >= 50)).toEqual(
      server
        .logLines()
        .filter(
          (line) =>
            (line.level as number) >= 50 &&
            /runtime error|no-response|NextResponse|read-back/.test(JSON.stringify(line)),
        ),
    );
  });

  it("parses the User-Agent as next/server's userAgent() does", async () => {
    const chrome =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    expect(await (await call("/ua", { headers: { "user-agent": chrome } })).json()).toEqual({
      browser: "Chrome",
      os: "Windows",
      isBot: false,
      device: null,
    });
    const bot = await call("/ua", {
      headers: {
        "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      },
    });
    expect(((await bot.json()) as { isBot: boolean }).isBot).toBe(true);
  });
});

describe("nextpress around route handlers", () => {
  it("runs Express middleware (authenticate) before a route handler", async () => {
    const refused = await call("/protected");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ message: "Unauthorized" });
    const ok = await call("/protected", { headers: { authorization: "Bearer web-token" } });
    expect(await ok.json()).toEqual({ secret: 42 });
  });

  it("runs an app/ folder's _middleware before the routes below it", async () => {
    const res = await call("/mw");
    expect(res.headers.get("x-folder-middleware")).toBe("app/mw");
    expect(await res.text()).toBe("through the folder's middleware");
  });

  it("validates with defineRouteHandler: typed body and query in the context, the raw body still readable", async () => {
    const ok = await call("/validated?notify=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({
      body: { name: "Ada", email: "ada@example.com" },
      query: { notify: true },
      raw: { name: "Ada", email: "ada@example.com" },
    });
    const bad = await call("/validated", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "" }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { message: string; issues: { path: string[] }[] };
    expect(body.message).toBe("Invalid request");
    expect(body.issues.map((issue) => issue.path.join("."))).toEqual(["body.name", "body.email"]);
  });

  it("keeps the security headers and a request id on every Web answer", async () => {
    const res = await call("/basic/endpoint");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("serves a classic pages route beside them", async () => {
    expect(await (await call("/api/hello")).json()).toEqual({ style: "pages" });
  });
});

describe("edge pages routes (config.runtime = 'edge')", () => {
  it("receives the body as a NextRequest: POST text echoes (edge-api-endpoints-can-receive-body)", async () => {
    const res = await call("/api/edge", { method: "POST", body: "hello, world." });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("got: hello, world.");
  });

  it("has no req.geo or req.ip (Next 15+), and event.waitUntil() work runs after the response", async () => {
    expect(await (await call("/api/edge")).json()).toEqual({ method: "GET", geo: null, ip: null });
    let waited: string[] = [];
    for (let i = 0; i < 40 && waited.length < 2; i++) {
      await sleep(25);
      waited = (await (await call("/api/edge?waited=1")).json()) as string[];
    }
    expect(waited.slice(0, 2)).toEqual(["POST", "GET"]);
  });

  it("answers a handler that returns no Response with a 500, logging Next's words", async () => {
    const res = await call("/api/edge-bad-return");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error" });
    await eventuallyLogged(/Expected an instance of Response to be returned/);
  });
});
