import net from "node:net";
import fc from "fast-check";
import { buildTestApp, type TestApp } from "../helpers/app";
import { listen } from "../helpers/raw-http";
import { parseResponses } from "./support";

// Property-based fuzzing of what a client controls (paths, queries, headers with Host, cookies,
// bodies) against every route style, in-process over real loopback HTTP (raw bytes: clients would
// normalise much of it). Each property runs until NUM_RUNS or TIME_LIMIT_MS, whichever comes first.
const NUM_RUNS = 500;
const TIME_LIMIT_MS = 15_000;
const MARKER = "GUARDED-MARKER";

const runs: Record<string, number> = {};
const baseline = Object.getOwnPropertyNames(Object.prototype).sort();

/** Nothing a request sent reached Object.prototype. */
function expectNoPollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(baseline);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

let built: TestApp;
let server: { port: number; close: () => Promise<void> };

beforeAll(async () => {
  built = await buildTestApp("fuzz/routes");
  server = await listen(built.app);
});
afterAll(async () => {
  await server?.close();
  await built?.close();
  // The figures the note quotes: runs per property in this run.
  console.log(`fuzz runs: ${JSON.stringify(runs)}`);
});

/** Resolves with what the server sent once one whole response is there (a HEAD's once its head is), or the connection closed. */
function rawExchange(raw: string | Buffer, head: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, "127.0.0.1");
    let text = "";
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(finish, 5000);
    const complete = () => {
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return false;
      const headers = text.slice(0, end);
      if (head || /^HTTP\/1\.1 (1\d\d|204|304)/.test(headers)) return true;
      const length = /\r\ncontent-length: *(\d+)/i.exec(headers);
      if (length) return Buffer.byteLength(text.slice(end + 4), "latin1") >= Number(length[1]);
      if (/\r\ntransfer-encoding: *chunked/i.test(headers)) return text.endsWith("0\r\n\r\n");
      return false;
    };
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (complete()) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.on("connect", () =>
      socket.write(typeof raw === "string" ? Buffer.from(raw, "latin1") : raw),
    );
  });
}

/** Sends one raw request on a fresh connection; its one answer's status and body. */
async function send(raw: string | Buffer): Promise<{ status: number; body: string }> {
  const head = raw.toString("latin1").startsWith("HEAD ");
  const text = await rawExchange(raw, head);
  const [res] = parseResponses(text);
  if (!res) throw new Error(`no answer to ${JSON.stringify(raw.toString("latin1"))}`);
  return { status: res.status, body: head ? "" : res.body };
}

async function check<T>(name: string, property: fc.IAsyncPropertyWithHooks<T>): Promise<void> {
  let count = 0;
  const counted = property.beforeEach((previous) => {
    count += 1;
    return previous();
  });
  await fc.assert(counted, {
    numRuns: NUM_RUNS,
    interruptAfterTimeLimit: TIME_LIMIT_MS,
    markInterruptAsFailure: false,
  });
  runs[name] = count;
  expect(built.logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  expectNoPollution();
}

const printable = (min: number, max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: min,
    maxLength: max,
  });

/** Bytes a header value may carry on the wire without ending the line: no CR, LF or NUL. */
const headerValue = fc.string({
  unit: fc
    .oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.constant(0x09),
      fc.integer({ min: 0x80, max: 0xff }),
    )
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

const TRICKY_SEGMENTS = [
  "..",
  ".",
  "",
  "%2e%2e",
  "%2E",
  "%2f",
  "%5c",
  "\\",
  "admin",
  "ADMIN",
  "%61dmin",
  "admin%2fsecret",
  "secret",
  "guarded",
  "data",
  "%00",
  "%",
  "%zz",
  ";",
  "__proto__",
  "constructor",
  "[id]",
  "[...rest]",
  "~",
  "%C0%AE",
  "é",
];

const segment = fc.oneof(fc.constantFrom(...TRICKY_SEGMENTS), printable(0, 8));
const PREFIXES = [
  "/api/",
  "/api/admin/",
  "/",
  "/guarded/",
  "/app-echo/",
  "/api/items/",
  "//api/admin/",
];

/** A request target: a prefix, tricky segments, maybe a query. Latin-1 on the wire (no CR, LF or space). */
const target = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.array(segment, { maxLength: 5 }),
    fc.option(printable(0, 20)),
  )
  .map(
    ([prefix, segments, query]) =>
      `${prefix}${segments.join("/")}${query === null ? "" : `?${query}`}`,
  );

const QUERY_KEYS = [
  "__proto__",
  "__proto__[polluted]",
  "constructor",
  "constructor[prototype][polluted]",
  "a[__proto__][polluted]",
  "prototype",
  "a[b]",
  "a[]",
  "a.b",
  "toString",
  "hasOwnProperty",
  "polluted",
  "id",
];

const encode = (value: string) =>
  Buffer.from(value, "utf8")
    .toString("latin1")
    .replace(
      /[^A-Za-z0-9._~\-[\]]/g,
      (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`,
    );

const query = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
      fc.string({ maxLength: 12 }),
      fc.boolean(),
    ),
    { maxLength: 6 },
  )
  .map((pairs) =>
    pairs
      .map(([key, value, raw]) =>
        raw
          ? `${encode(key).replace(/%5[BD]/g, (m) => (m === "%5B" ? "[" : "]"))}=${encode(value)}`
          : `${encode(key)}=${encode(value)}`,
      )
      .join("&"),
  );

const ROUTES = [
  "/api/echo",
  "/api/edge",
  "/app-echo",
  "/api/items/x",
  "/api/admin/secret",
  "/guarded/data",
];

describe("fuzzing every route style (fast-check)", () => {
  it("paths: no 5xx, and nothing below a guarded folder answers past its _middleware", async () => {
    await check(
      "paths",
      fc.asyncProperty(
        target,
        fc.constantFrom("GET", "POST", "HEAD", "OPTIONS", "DELETE"),
        async (path, method) => {
          const res = await send(
            `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`,
          );
          expect(res.status).toBeLessThan(500);
          expect(res.body).not.toContain(MARKER);
        },
      ),
    );
  });

  it("queries: no 5xx, no prototype pollution", async () => {
    await check(
      "queries",
      fc.asyncProperty(fc.constantFrom(...ROUTES), query, async (route, search) => {
        const res = await send(`GET ${route}?${search} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
        expect(res.status).toBeLessThan(500);
        expect(res.body).not.toContain(MARKER);
        expectNoPollution();
      }),
    );
  });

  it("headers (Host, Cookie, X-Forwarded-*, any other): no 5xx, no pollution, no bypass", async () => {
    const headerName = fc.oneof(
      fc.constantFrom(
        "X-Forwarded-For",
        "X-Forwarded-Host",
        "X-Forwarded-Proto",
        "X-Request-Id",
        "Accept",
        "Authorization",
        "Content-Type",
        "Range",
        "If-None-Match",
        "Origin",
      ),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/),
    );
    await check(
      "headers",
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(
          headerValue,
          fc.constantFrom("localhost", "localhost:3000", "[::1]:1", "a b", "x/y?", ""),
        ),
        headerValue,
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
        async (route, host, cookie, extra) => {
          if (
            extra.some(([name]) => /^(content-length|transfer-encoding|host|x-admin)$/i.test(name))
          )
            return;
          const lines = [
            `Host: ${host}`,
            `Cookie: ${cookie}`,
            ...extra.map(([n, v]) => `${n}: ${v}`),
          ];
          const res = await send(`GET ${route} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
          expect(res.status).toBeLessThan(500);
          expect(res.body).not.toContain(MARKER);
          expectNoPollution();
        },
      ),
    );
  });

  it("cookies: no 5xx, no pollution, and each route reads them", async () => {
    const cookiePair = fc.tuple(
      fc.oneof(
        fc.constantFrom("__proto__", "constructor", "prototype", "a", "__Host-x", "toString"),
        printable(1, 8),
      ),
      fc.oneof(headerValue, fc.constantFrom('"quoted"', "%E0%A4%A", "a=b=c", "")),
    );
    await check(
      "cookies",
      fc.asyncProperty(
        fc.constantFrom("/api/echo", "/api/edge", "/app-echo"),
        fc.array(cookiePair, { maxLength: 5 }),
        async (route, pairs) => {
          const cookie = pairs
            .map(([k, v]) => `${k.replace(/[;=,\s]/g, "")}=${v.replace(/;/g, "")}`)
            .join("; ");
          const res = await send(
            `GET ${route} HTTP/1.1\r\nHost: localhost\r\nCookie: ${cookie}\r\n\r\n`,
          );
          expect(res.status).toBeLessThan(500);
          expectNoPollution();
        },
      ),
    );
  });

  it("bodies (JSON with __proto__ keys, urlencoded, text, bytes) under any Content-Type: no 5xx, no pollution", async () => {
    const hostileJson = fc.jsonValue().map((value) =>
      JSON.stringify({
        __proto__: { polluted: 1 },
        constructor: { prototype: { polluted: 1 } },
        value,
      }),
    );
    const body = fc.oneof(
      fc.json().map((text) => Buffer.from(text)),
      hostileJson.map((text) => Buffer.from(text)),
      query.map((text) => Buffer.from(text)),
      fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    );
    const contentType = fc.oneof(
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "application/json; charset=latin1",
        "application/*+json",
      ),
      headerValue,
    );
    await check(
      "bodies",
      fc.asyncProperty(
        fc.constantFrom(
          "/api/echo",
          "/api/edge",
          "/app-echo",
          "/api/admin/secret",
          "/guarded/data",
        ),
        fc.constantFrom("POST", "PUT", "PATCH", "DELETE"),
        contentType,
        body,
        async (route, method, type, payload) => {
          const head = `${method} ${route} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\nContent-Length: ${payload.length}\r\n\r\n`;
          const res = await send(Buffer.concat([Buffer.from(head, "latin1"), payload]));
          expect(res.status).toBeLessThan(500);
          expect(res.body).not.toContain(MARKER);
          expectNoPollution();
        },
      ),
    );
  });
});
