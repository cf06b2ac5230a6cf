import { exchange, head, sleep, startHostileServer, type HostileServer } from "./support";

// RFC 9112 §9.6: after an answer that closes the connection, the server "MUST NOT process any
// further requests received on that connection". Each request the server refuses (and each
// answer a route sends with `Connection: close`) is followed, on the same connection, by a
// request to /api/hit/<tag>: exactly one response may come back, and the hit is never recorded.

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("one-answer", { MAX_HEADER_SIZE: "8192" });
});
afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

const manyHeaders = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`X-H${i}`, "v"]));

/** [name, the refused request's bytes, the status it gets] */
const REFUSALS: [string, string, number][] = [
  [
    "Transfer-Encoding: xchunked",
    head("POST /api/small HTTP/1.1", { "Transfer-Encoding": "xchunked" }) + "3\r\nabc\r\n0\r\n\r\n",
    501,
  ],
  [
    "Transfer-Encoding: gzip, chunked",
    head("POST /api/small HTTP/1.1", { "Transfer-Encoding": "gzip, chunked" }) +
      "3\r\nabc\r\n0\r\n\r\n",
    501,
  ],
  ["an HTTP/1.1 request without Host", "GET /api/hits HTTP/1.1\r\n\r\n", 400],
  ["more than 1,000 headers", head("GET /api/hits HTTP/1.1", manyHeaders), 431],
  [
    "Content-Length and Transfer-Encoding together",
    head("POST /api/small HTTP/1.1", { "Content-Length": 5, "Transfer-Encoding": "chunked" }) +
      "0\r\n\r\n",
    400,
  ],
  [
    "two different Content-Lengths",
    head("POST /api/small HTTP/1.1", { "Content-Length": "3\r\nContent-Length: 4" }) + "abcd",
    400,
  ],
  [
    "a bad chunk size",
    head("POST /api/small HTTP/1.1", { "Transfer-Encoding": "chunked" }) + "zz\r\nabc\r\n0\r\n\r\n",
    400,
  ],
  [
    "a body over the route's limit",
    head("POST /api/small HTTP/1.1", { "Content-Type": "text/plain", "Content-Length": 2048 }) +
      "x".repeat(2048),
    413,
  ],
  [
    "a compressed body",
    head("POST /api/small HTTP/1.1", {
      "Content-Type": "application/json",
      "Content-Encoding": "gzip",
      "Content-Length": 4,
    }) + "abcd",
    415,
  ],
  [
    "a header over MAX_HEADER_SIZE",
    head("GET /api/hits HTTP/1.1", { "X-Big": "y".repeat(9000) }),
    431,
  ],
  ["a malformed request line", "GARBAGE\r\n\r\n", 400],
  ["a route's answer with Connection: close", head("GET /api/close HTTP/1.1"), 200],
];

async function hits(): Promise<string[]> {
  const { responses } = await exchange(
    server.port,
    head("GET /api/hits HTTP/1.1", { Connection: "close" }),
    { responses: 1 },
  );
  return (JSON.parse(responses[0]?.body ?? "{}") as { hits: string[] }).hits;
}

describe("nothing follows a connection's last answer", () => {
  it.each(REFUSALS.map(([name, raw, status], index) => [name, raw, status, index] as const))(
    "%s: one response, the requests behind it never processed",
    async (_name, raw, status, index) => {
      const sameWrite = `same-${index}`;
      const later = `later-${index}`;
      const {
        responses,
        raw: bytes,
        closed,
      } = await exchange(server.port, raw + head(`GET /api/hit/${sameWrite} HTTP/1.1`), {
        parts: [100, head(`GET /api/hit/${later} HTTP/1.1`)],
        timeoutMs: 3000,
      });
      expect(responses.map((r) => r.status)).toEqual([status]);
      expect(bytes.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
      expect(closed).toBe(true);
      await sleep(50);
      expect(await hits()).not.toEqual(expect.arrayContaining([sameWrite]));
      expect(await hits()).not.toEqual(expect.arrayContaining([later]));
    },
  );

  it("a keep-alive connection still answers every request pipelined on it", async () => {
    const tags = ["k1", "k2", "k3"];
    const { responses } = await exchange(
      server.port,
      tags.map((tag) => head(`GET /api/hit/${tag} HTTP/1.1`)).join(""),
      { responses: 3 },
    );
    expect(responses.map((r) => JSON.parse(r.body))).toEqual(tags.map((tag) => ({ hit: tag })));
    expect(await hits()).toEqual(expect.arrayContaining(tags));
  });
});
