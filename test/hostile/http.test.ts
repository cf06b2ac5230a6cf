import {
  exchange,
  expectHealthy,
  expectJsonError,
  get,
  head,
  startHostileServer,
  type HostileServer,
  type ParsedResponse,
} from "./support";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("hostile-input");
});
afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

/** Sends `raw` and returns the first response. */
async function send(raw: string, timeoutMs = 3000): Promise<ParsedResponse | undefined> {
  const { responses } = await exchange(server.port, raw, { responses: 1, timeoutMs });
  return responses[0];
}

const body = (res: ParsedResponse | undefined) =>
  JSON.parse(res?.body ?? "null") as Record<string, unknown>;

describe("the request line", () => {
  it.each([
    ["an invalid method", "FOO@ / HTTP/1.1"],
    ["a method with a space", "G ET /api/echo HTTP/1.1"],
    ["a lower-case method", "get /api/echo HTTP/1.1"],
    ["an unknown HTTP version", "GET /api/echo HTTP/9.9"],
    ["a raw non-ASCII byte in the path", "GET /api/items/a\xffb HTTP/1.1"],
    ["a raw NUL byte in the path", "GET /api/items/a\x00b HTTP/1.1"],
    ["a raw space in the path", "GET /api/items/a b HTTP/1.1"],
    ["control bytes", "\x01\x02\x03\x04"],
    ["an HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM"],
  ])("%s is a JSON 400 and the connection is closed", async (_case, line) => {
    const { responses, closed } = await exchange(server.port, head(line), { timeoutMs: 3000 });
    expectJsonError(responses[0], 400, "Bad Request");
    expect(closed).toBe(true);
    await expectHealthy(server);
  });

  it("an HTTP/1.1 request without Host is a JSON 400, not Node's empty one", async () => {
    const res = await send("GET /api/echo HTTP/1.1\r\n\r\n");
    expectJsonError(res, 400, "Missing Host header");
    expect(res?.headers["x-request-id"]).toBeDefined();
    const http10 = await send("GET /api/echo HTTP/1.0\r\n\r\n");
    expect(http10?.status).toBe(200);
    await expectHealthy(server);
  });

  it("an Expect other than 100-continue is a JSON 417", async () => {
    expectJsonError(
      await send(head("GET /api/echo HTTP/1.1", { Expect: "bogus" })),
      417,
      "Expectation Failed",
    );
    const { responses } = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", {
        Expect: "100-continue",
        "Content-Type": "application/json",
        "Content-Length": 7,
        Connection: "close",
      }),
      { parts: [100, '{"a":1}'], responses: 2 },
    );
    expect(responses.map((r) => r.status)).toEqual([100, 200]);
    await expectHealthy(server);
  });
});

describe("framing", () => {
  it.each([
    [
      "Content-Length and Transfer-Encoding together",
      { "Content-Length": 5, "Transfer-Encoding": "chunked" },
      "0\r\n\r\n",
    ],
    ["two different Content-Lengths", { "Content-Length": "3\r\nContent-Length: 4" }, "abcd"],
    ["a negative Content-Length", { "Content-Length": -1 }, ""],
    ["a Content-Length that is not a number", { "Content-Length": "12abc" }, ""],
    ["chunked not last", { "Transfer-Encoding": "chunked, gzip" }, "0\r\n\r\n"],
    ["a bad chunk size", { "Transfer-Encoding": "chunked" }, "zz\r\nabc\r\n0\r\n\r\n"],
  ])("%s is a JSON 400 from the parser", async (_case, headers, rest) => {
    const res = await send(head("POST /api/echo HTTP/1.1", headers) + rest);
    expectJsonError(res, 400, "Bad Request");
    await expectHealthy(server);
  });

  it.each(["gzip, chunked", "identity, chunked", "deflate,chunked"])(
    "Transfer-Encoding %s (a coding Node does not undo) is 501, never read as plain bytes",
    async (coding) => {
      const res = await send(
        head("POST /api/raw HTTP/1.1", { "Transfer-Encoding": coding }) + "3\r\nabc\r\n0\r\n\r\n",
      );
      expectJsonError(res, 501, "Unsupported Transfer-Encoding");
      await expectHealthy(server);
    },
  );

  it.each(["chunked", "Chunked", "CHUNKED"])(
    "Transfer-Encoding %s is read as usual",
    async (coding) => {
      const res = await send(
        head("POST /api/raw HTTP/1.1", { "Transfer-Encoding": coding, Connection: "close" }) +
          "3\r\nabc\r\n0\r\n\r\n",
      );
      expect(body(res)).toEqual({ file: "raw.ts", bytes: 3 });
    },
  );
});

describe("paths", () => {
  it.each([
    "/api/%",
    "/api/items/%E0%A4%A",
    "/api/items/%zz",
    "/api/items/%C0%AF",
    "/api/files/a/%ff",
    "/api/items/%",
  ])("malformed percent-encoding %s is a JSON 400", async (target) => {
    expectJsonError(await get(server, target), 400, "Bad Request");
    await expectHealthy(server);
  });

  it.each([
    ["/api/../../etc/passwd", 400],
    ["/api/echo/../../../etc/passwd", 400],
    ["/api/./echo", 400],
    ["/api/files/../../../../etc/passwd", 400],
    ["/api/%2e%2e/%2e%2e/etc/passwd", 404],
    ["/api/%2E%2E/%2E%2E/etc/passwd", 404],
    ["/api/..%2f..%2fetc%2fpasswd", 404],
    ["/api/..%5c..%5cetc%5cpasswd", 404],
    ["/../../etc/passwd", 404],
    ["/etc/passwd", 404],
    ["//etc/passwd", 404],
    ["/api/echo%00.ts", 404],
    ["/api/%00", 404],
    ["/api/state.ts", 404],
    ["/api/echo.ts", 404],
    ["/api/README.md", 404],
    ["/api/../hostile-input/echo.ts", 400],
  ])(
    "%s is a JSON %i: nothing outside the route table is ever loaded or served",
    async (target, status) => {
      const res = await get(server, target);
      expectJsonError(res, status);
      expect(res.body).not.toMatch(/root:|export default|nextpress/);
      await expectHealthy(server);
    },
  );

  it.each([
    ["/api/files/%2e%2e/%2e%2e/etc/passwd", ["..", "..", "etc", "passwd"]],
    ["/api/files/..%2f..%2fetc%2fpasswd", ["../../etc/passwd"]],
    ["/api/files/a%00b", ["a\u0000b"]],
  ])(
    "a catch-all gets %s as strings, as Next passes them (a handler that opens files must check them)",
    async (target, segments) => {
      const res = await get(server, target);
      expect(body(res)).toEqual({ file: "files/[...path].ts", path: segments });
    },
  );

  it("a request target in absolute form or asterisk form finds no route", async () => {
    expectJsonError(
      await send(head("GET http://127.0.0.1/../../etc/passwd HTTP/1.1", { Connection: "close" })),
      404,
    );
    expectJsonError(await send(head("OPTIONS * HTTP/1.1", { Connection: "close" })), 404);
  });
});

describe("headers and URLs", () => {
  it("8 KB of headers pass; one header over MAX_HEADER_SIZE is a JSON 431", async () => {
    expect((await get(server, "/api/echo", { "X-Big": "b".repeat(8 * 1024) })).status).toBe(200);
    const res = await send(head("GET /api/echo HTTP/1.1", { "X-Big": "b".repeat(17 * 1024) }));
    expectJsonError(res, 431, "Request Header Fields Too Large");
    await expectHealthy(server);
  });

  it("1,000 headers pass, every one of them kept; more are a JSON 431, not silently dropped", async () => {
    const headers = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-${i}`, "1"]));
    // Host, Connection and X-Request-Id come with them.
    const full = await get(server, "/api/echo", {
      ...headers(997),
      "X-Request-Id": "last-of-1000",
    });
    expect(full.status).toBe(200);
    expect(full.headers["x-request-id"]).toBe("last-of-1000");
    const over = await get(server, "/api/echo", {
      ...headers(998),
      "X-Request-Id": "last-of-1001",
    });
    expectJsonError(over, 431, "Request Header Fields Too Large");
    const thousands = await get(server, "/api/echo", headers(3000));
    expectJsonError(thousands, 431, "Request Header Fields Too Large");
    await expectHealthy(server);
  });

  it("thousands of query keys are parsed flat, each once", async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `${i.toString(36)}=`).join("&");
    const res = await get(server, `/api/echo?${keys}`);
    expect(res.status).toBe(200);
    expect(Object.keys(body(res).query as object)).toHaveLength(2500);
    const repeated = await get(server, `/api/echo?${"a=1&".repeat(3000)}`);
    expect(repeated.status).toBe(200);
    expect((body(repeated).query as { a: string[] }).a).toHaveLength(3000);
    await expectHealthy(server);
  });

  it("a URL longer than MAX_HEADER_SIZE is a JSON 431, in the path or the query", async () => {
    expectJsonError(await send(head(`GET /api/items/${"a".repeat(20_000)} HTTP/1.1`)), 431);
    expectJsonError(await send(head(`GET /api/echo?q=${"a".repeat(20_000)} HTTP/1.1`)), 431);
    const long = await get(server, `/api/items/${"a".repeat(8000)}`);
    expect((body(long).id as string).length).toBe(8000);
    await expectHealthy(server);
  });
});

describe("header injection", () => {
  it.each([
    ["obs-fold", "X-Request-Id: abc\r\n Injected: yes"],
    ["a bare CR", "X-Request-Id: abc\rInjected: yes"],
    ["a bare LF", "X-Request-Id: abc\nInjected: yes"],
    ["a NUL", "X-Request-Id: abc\x00Injected: yes"],
  ])(
    "CR/LF/NUL tricks in a header value (%s) are a JSON 400 from the parser",
    async (_case, line) => {
      const res = await send(`GET /api/echo HTTP/1.1\r\nHost: x\r\n${line}\r\n\r\n`);
      expectJsonError(res, 400, "Bad Request");
      expect(res?.rawHead).not.toMatch(/Injected/i);
      await expectHealthy(server);
    },
  );

  it("an X-Request-Id carrying encoded CR/LF is never echoed: a fresh id replaces it", async () => {
    for (const id of ["abc%0d%0aInjected:%20yes", "abc\\r\\nInjected: yes", "a".repeat(129)]) {
      const res = await get(server, "/api/echo", { "X-Request-Id": id });
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.rawHead).not.toMatch(/Injected/i);
    }
  });

  it.each([
    ["a header", "/api/reflect?v=ok%0d%0aSet-Cookie:%20pwned=1"],
    ["a header, LF only", "/api/reflect?v=ok%0aSet-Cookie:%20pwned=1"],
    ["a header, beyond latin1", "/api/reflect?v=%E2%80%A8"],
    ["a redirect", "/api/reflect?to=/x%0d%0aSet-Cookie:%20pwned=1"],
  ])(
    "a route reflecting a query value with CR/LF into %s gets a 500, not a split response",
    async (_case, target) => {
      const { responses, raw } = await exchange(
        server.port,
        head(`GET ${target} HTTP/1.1`, { Connection: "close" }),
        { timeoutMs: 3000 },
      );
      expect(responses).toHaveLength(1);
      expectJsonError(responses[0], 500, "Internal Server Error");
      expect(raw).not.toMatch(/pwned/);
      await expectHealthy(server);
    },
  );

  it("the same route reflects a clean value", async () => {
    const res = await get(server, "/api/reflect?v=fine");
    expect(res.headers["x-echo"]).toBe("fine");
  });
});
