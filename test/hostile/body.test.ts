import { gzipSync } from "node:zlib";
import { chunksOf, rawRequest } from "../helpers/raw-http";
import {
  exchange,
  expectHealthy,
  expectJsonError,
  head,
  readState,
  startHostileServer,
  type Exchange,
  type HostileServer,
  type ParsedResponse,
} from "./support";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("hostile-input", { LOG_LEVEL: "info" });
});
afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

/** One POST with a declared length; `type` is the Content-Type. */
async function post(
  target: string,
  body: string | Buffer,
  type = "application/json",
  headers: Record<string, string | number> = {},
): Promise<ParsedResponse> {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const { responses, raw } = await exchange(
    server.port,
    head(`POST ${target} HTTP/1.1`, {
      "Content-Type": type,
      "Content-Length": bytes.length,
      Connection: "close",
      ...headers,
    }),
    { parts: [bytes], responses: 1 },
  );
  if (!responses[0]) throw new Error(`no response; got ${JSON.stringify(raw.slice(0, 200))}`);
  return responses[0];
}

/** The same, chunked: no Content-Length, the limit is found while reading. */
async function postChunked(
  target: string,
  body: Buffer,
  type = "application/json",
  headers: Record<string, string> = {},
): Promise<Exchange> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += 64 * 1024) {
    const piece = body.subarray(offset, offset + 64 * 1024);
    chunks.push(
      Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]),
    );
  }
  chunks.push(Buffer.from("0\r\n\r\n"));
  return exchange(
    server.port,
    head(`POST ${target} HTTP/1.1`, {
      "Content-Type": type,
      "Transfer-Encoding": "chunked",
      Connection: "close",
      ...headers,
    }),
    { parts: chunks, responses: 1 },
  );
}

const json = (res: ParsedResponse) => JSON.parse(res.body) as Record<string, unknown>;

describe("malformed JSON", () => {
  it.each([
    ["an unclosed object", "{"],
    ["a lone closing brace", "}"],
    ["a missing value", '{"a":}'],
    ["a trailing comma", '{"a":1,}'],
    ["an unclosed array", "[1,2"],
    ["single quotes", "{'a':1}"],
    ["unquoted keys", "{a:1}"],
    ["undefined", "undefined"],
    ["NaN", "NaN"],
    ["trailing garbage", '{"a":1} x'],
    ["two documents", '{"a":1}{"b":2}'],
    ["an unterminated string", '"abc'],
    ["whitespace only", "   "],
    ["a raw control character in a string", '{"a":"\u0001"}'],
    ["a leading zero", '{"a":01}'],
    ["a bare fraction", '{"a":.5}'],
    ["a plus sign", '{"a":+1}'],
    ["a short unicode escape", '{"a":"\\u12"}'],
    ["an invalid escape", '{"a":"\\x41"}'],
    ["a NUL byte", "\u0000"],
    ["a comment", '{"a":1 /* no */}'],
    ["a thousand unclosed brackets", "[".repeat(1000)],
  ])("%s is 400 Invalid JSON", async (_case, body) => {
    expectJsonError(await post("/api/echo", body), 400, "Invalid JSON");
    await expectHealthy(server);
  });

  it("refuses JSON nested 100,000 levels deep with a 400, without overflowing the stack", async () => {
    for (const [open, close] of [
      ["[", "]"],
      ['{"a":', "}"],
    ]) {
      const res = await post("/api/echo", open.repeat(100_000) + "1" + close.repeat(100_000));
      expectJsonError(res, 400, "Invalid JSON: nested deeper than 1000 levels");
    }
    await expectHealthy(server);
  });

  it("accepts 1,000 levels, and brackets inside strings do not count", async () => {
    const deep = await post("/api/echo", "[".repeat(1000) + "]".repeat(1000));
    expect(deep.status).toBe(200);
    const inString = await post("/api/echo", JSON.stringify({ s: "[".repeat(5000) + '\\"{' }));
    expect(inString.status).toBe(200);
    expect((json(inString).body as { s: string }).s).toBe("[".repeat(5000) + '\\"{');
    await expectHealthy(server);
  });

  it.each([
    ["1e999999 (Infinity)", '{"name":"a","count":1e999999}'],
    ["30 digits", '{"name":"a","count":123456789012345678901234567890}'],
    ["500,000 digits", `{"name":"a","count":${"9".repeat(500_000)}}`],
    ["a 500,000-digit fraction", `{"name":"a","count":0.${"1".repeat(500_000)}}`],
  ])("a huge number, %s, is valid JSON that a schema refuses with 400", async (_case, body) => {
    const res = await post("/api/validated", body);
    expectJsonError(res, 400, "Invalid request");
    expect(json(res).issues).toEqual([expect.objectContaining({ path: ["body", "count"] })]);
    await expectHealthy(server);
  });

  it("a huge number reaches a handler without a schema as what JSON.parse made of it", async () => {
    const res = await post(
      "/api/echo",
      '{"n":1e999999,"m":-1e999999,"big":123456789012345678901234567890}',
    );
    expect(json(res).body).toEqual({ n: null, m: null, big: 1.2345678901234568e29 });
  });
});

describe("invalid UTF-8", () => {
  it.each([
    ["a lone 0xFF byte", Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    [
      "an overlong slash (C0 AF)",
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
    ],
    [
      "an encoded surrogate (ED A0 80)",
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    ],
    [
      "a truncated sequence",
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]),
    ],
  ])("in a JSON body, %s is 400 Invalid JSON, not silently replaced", async (_case, body) => {
    expectJsonError(await post("/api/echo", body), 400, "Invalid JSON");
    await expectHealthy(server);
  });

  it("JSON in a declared single-byte charset is decoded, not refused", async () => {
    const res = await post(
      "/api/echo",
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
      "application/json; charset=latin1",
    );
    expect(json(res).body).toEqual({ a: "é" });
  });

  it("valid UTF-8 with a byte-order mark is accepted, as Next does", async () => {
    const res = await post(
      "/api/echo",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"é"}')]),
    );
    expect(json(res).body).toEqual({ a: "é" });
  });

  it("text keeps Next's behaviour: invalid bytes become U+FFFD", async () => {
    const res = await post("/api/echo", Buffer.from([0x61, 0xff, 0x62]), "text/plain");
    expect(json(res).body).toBe("a\ufffdb");
    await expectHealthy(server);
  });

  it("invalid percent-encoded UTF-8 in the query becomes U+FFFD (WHATWG), and in a cookie stays as sent", async () => {
    const { responses } = await exchange(
      server.port,
      head("GET /api/echo?q=%ff%fe HTTP/1.1", { Cookie: "c=%ff", Connection: "close" }),
      { responses: 1 },
    );
    expect(json(responses[0]).query).toEqual({ q: "\ufffd\ufffd" });
    expect(json(responses[0]).cookies).toEqual({ c: "%ff" });
  });
});

describe("prototype pollution", () => {
  // JSON.stringify drops a literal __proto__ key: write it by hand.
  const JSON_BODY =
    '{"__proto__":{"polluted":"json"},"constructor":{"prototype":{"polluted":"json"}},"prototype":{"polluted":"json"},"a":{"__proto__":{"polluted":"nested"}}}';
  const PAIRS =
    "__proto__[polluted]=1&__proto__.polluted=1&__proto__=x&constructor[prototype][polluted]=1&constructor=y&prototype=z&hasOwnProperty=w";

  afterEach(async () => {
    const state = await readState(server);
    expect(state.polluted).toBeNull();
    await expectHealthy(server);
  });

  it("JSON keys stay own data: nothing inherits, Object.prototype untouched", async () => {
    const res = await post("/api/echo", JSON_BODY);
    expect(res.status).toBe(200);
    const body = json(res);
    expect(body.prototypes).toMatchObject({ body: "Object.prototype" });
    expect(body.inherited).toEqual({});
    expect(Object.keys(body.body as object)).toEqual([
      "__proto__",
      "constructor",
      "prototype",
      "a",
    ]);
  });

  it("the same keys through a zod schema are dropped", async () => {
    const res = await post("/api/validated", JSON_BODY.replace("{", '{"name":"n","count":1,'));
    expect(res.status).toBe(201);
    expect(json(res).body).toEqual({ name: "n", count: 1 });
  });

  it("urlencoded keys stay flat own keys", async () => {
    const res = await post("/api/echo", PAIRS, "application/x-www-form-urlencoded");
    const body = json(res);
    expect(body.inherited).toEqual({});
    expect(body.body).toMatchObject({
      "__proto__[polluted]": "1",
      __proto__: "x",
      constructor: "y",
    });
  });

  it("query keys: __proto__ is dropped, the rest are flat own keys", async () => {
    const { responses } = await exchange(
      server.port,
      head(`GET /api/echo?${PAIRS} HTTP/1.1`, { Connection: "close" }),
      { responses: 1 },
    );
    const body = json(responses[0]);
    expect(body.prototypes).toMatchObject({ query: "Object.prototype" });
    expect(body.inherited).toEqual({});
    expect(body.query).toEqual({
      "__proto__[polluted]": "1",
      "__proto__.polluted": "1",
      "constructor[prototype][polluted]": "1",
      constructor: "y",
      prototype: "z",
      hasOwnProperty: "w",
    });
  });

  it("cookie names stay own keys", async () => {
    const cookie = "__proto__=x; constructor=y; prototype=z; __proto__[polluted]=1; toString=t";
    const { responses } = await exchange(
      server.port,
      head("GET /api/echo HTTP/1.1", { Cookie: cookie, Connection: "close" }),
      { responses: 1 },
    );
    const body = json(responses[0]);
    expect(body.inherited).toEqual({});
    expect(body.cookies).toMatchObject({ constructor: "y", prototype: "z", toString: "t" });
  });
});

describe("body limits", () => {
  const MB = 1024 * 1024;

  it.each([
    ["the default 1mb", "/api/echo", MB, "Body exceeded 1mb limit"],
    ["a route's 1kb", "/api/small-limit", 1024, "Body exceeded 1kb limit"],
  ])(
    "%s: exactly the limit passes, one byte more is 413 with and without Content-Length",
    async (_case, target, limit, message) => {
      const atLimit = await post(target, Buffer.alloc(limit, "a"), "text/plain");
      expect(atLimit.status).toBe(200);
      const over = await post(target, Buffer.alloc(limit + 1, "a"), "text/plain");
      expectJsonError(over, 413, message);
      expect(over.headers.connection).toBe("close");
      const chunkedAtLimit = await postChunked(target, Buffer.alloc(limit, "a"), "text/plain");
      expect(chunkedAtLimit.responses[0]?.status).toBe(200);
      const chunkedOver = await postChunked(target, Buffer.alloc(limit + 1, "a"), "text/plain");
      expectJsonError(chunkedOver.responses[0], 413, message);
      await expectHealthy(server);
    },
  );

  it("every client still sending a body the server refused reads its 413, not a connection reset", async () => {
    // Node's own client, writing 64 KB at a time as an upload does: on a reset it reports EPIPE instead of the answer.
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const headers: Record<string, string | number> = { "content-type": "text/plain" };
      if (i % 2) headers["content-length"] = 4 * MB;
      const outcome = await rawRequest({
        port: server.port,
        path: "/api/echo",
        headers,
        chunks: chunksOf(4 * MB),
      }).then(
        (res) => String(res.status),
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
      outcomes.push(outcome);
    }
    expect(outcomes).toEqual(Array(20).fill("413"));
    await expectHealthy(server);
  });

  it("a declared length far over the limit is refused before a byte of body is read", async () => {
    const { responses } = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", {
        "Content-Type": "application/json",
        "Content-Length": 10 * 1024 ** 3,
      }),
      { responses: 1, timeoutMs: 3000 },
    );
    expectJsonError(responses[0], 413, "Body exceeded 1mb limit");
    expect(responses[0].headers.connection).toBe("close");
    await expectHealthy(server);
  });

  it("a Content-Length too big for a number is a 400 from the HTTP parser", async () => {
    const { responses } = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", { "Content-Length": "9".repeat(30) }),
      { responses: 1 },
    );
    expectJsonError(responses[0], 400, "Bad Request");
    await expectHealthy(server);
  });
});

describe("a lying Content-Length", () => {
  it("shorter than the body: the request is cut at the length, the rest is a malformed next request", async () => {
    const body = '{"name":"a","count":1}';
    const { responses, closed } = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", { "Content-Type": "application/json", "Content-Length": 5 }) +
        body,
      { timeoutMs: 3000 },
    );
    expectJsonError(responses[0], 400, "Invalid JSON");
    expectJsonError(responses[1], 400, "Bad Request");
    expect(responses).toHaveLength(2);
    expect(closed).toBe(true);
    await expectHealthy(server);
  });
});

describe("Content-Encoding", () => {
  const ZEROS = Buffer.alloc(64 * 1024 * 1024);
  const BOMB = gzipSync(ZEROS, { level: 9 });

  it.each(["gzip", "deflate", "br", "compress", "x-custom", "gzip, identity", "identity, gzip"])(
    "%s is 415 Unsupported Content-Encoding, when the body parser runs",
    async (encoding) => {
      const res = await post("/api/echo", gzipSync('{"a":1}'), "application/json", {
        "Content-Encoding": encoding,
      });
      expectJsonError(res, 415, "Unsupported Content-Encoding");
      await expectHealthy(server);
    },
  );

  it.each(["identity", "IDENTITY", " identity "])("%s is read as usual", async (encoding) => {
    const res = await post("/api/echo", '{"a":1}', "application/json", {
      "Content-Encoding": encoding,
    });
    expect(json(res).body).toEqual({ a: 1 });
  });

  it("a gzip bomb (64 MB of zeros in a few KB) is refused, never inflated", async () => {
    expect(BOMB.length).toBeLessThan(1024 * 1024);
    const before = (await readState(server)).rss;
    const started = Date.now();
    const res = await post("/api/echo", BOMB, "application/json", { "Content-Encoding": "gzip" });
    expectJsonError(res, 415, "Unsupported Content-Encoding");
    expect(Date.now() - started).toBeLessThan(5000);
    const chunked = await postChunked("/api/echo", BOMB, "application/json", {
      "Content-Encoding": "gzip",
    });
    expectJsonError(chunked.responses[0], 415, "Unsupported Content-Encoding");
    expect((await readState(server)).rss - before).toBeLessThan(32 * 1024 * 1024);
    await expectHealthy(server);
  });

  it("with bodyParser: false the stream is the handler's: it gets the compressed bytes as sent", async () => {
    const res = await post("/api/raw", BOMB, "application/octet-stream", {
      "Content-Encoding": "gzip",
    });
    expect(json(res)).toEqual({ file: "raw.ts", bytes: BOMB.length });
  });
});
