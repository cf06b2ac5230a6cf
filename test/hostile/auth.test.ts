import { createAuthenticate } from "../../src/middleware/authenticate";
import type { NextApiRequest, NextApiResponse } from "../../src/types";
import {
  exchange,
  expectHealthy,
  get,
  head,
  startHostileServer,
  type HostileServer,
} from "./support";

describe("token comparison takes the same time whatever the token shares with the real one", () => {
  type Check = (token: string) => unknown;

  /** Median nanoseconds per call of `check(token)`, batches of the two tokens interleaved. */
  function medians(check: Check, tokens: [string, string], calls: number): [number, number] {
    const batches = 20;
    const size = Math.ceil(calls / batches);
    const times: [number[], number[]] = [[], []];
    for (let b = 0; b < batches; b++) {
      // Alternate which goes first, so a slow patch of the machine hits both alike.
      for (const which of b % 2 ? [1, 0] : [0, 1]) {
        const token = tokens[which];
        const started = process.hrtime.bigint();
        for (let i = 0; i < size; i++) check(token);
        times[which].push(Number(process.hrtime.bigint() - started) / size);
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
    return [median(times[0]), median(times[1])];
  }

  /** Ratio of the late-mismatch median to the early-mismatch one; a few tries, so one noisy burst on a busy machine does not decide. */
  function ratio(
    check: Check,
    tokens: [string, string],
    calls: number,
    acceptable: (r: number) => boolean,
  ): number {
    let last = NaN;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [early, late] = medians(check, tokens, calls);
      last = late / early;
      if (acceptable(last)) return last;
    }
    return last;
  }

  /** Calls the middleware as a request would, with Authorization: Bearer <token>; refused tokens end the response. */
  function middlewareCheck(real: string): Check {
    const authenticate = createAuthenticate({ tokens: [real] });
    const res = {
      statusCode: 0,
      setHeader: () => undefined,
      end: () => undefined,
    } as unknown as NextApiResponse;
    const requests = new Map<string, NextApiRequest>();
    const next = () => undefined;
    return (token) => {
      let req = requests.get(token);
      if (!req)
        requests.set(
          token,
          (req = { headers: { authorization: `Bearer ${token}` } } as unknown as NextApiRequest),
        );
      return authenticate(req, res, next);
    };
  }

  /** Shares nothing with `real` (first character differs) / all but the last character. */
  function candidates(real: string): [string, string] {
    const flip = (c: string) => (c === "Z" ? "Y" : "Z");
    return [flip(real[0]) + real.slice(1), real.slice(0, -1) + flip(real[real.length - 1])];
  }

  const within = (r: number) => r > 0.75 && r < 1.33;

  it("a 32-character token: 0 vs 31 leading characters shared, 20,000 calls each", () => {
    const real = "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef";
    expect(real).toHaveLength(32);
    const r = ratio(middlewareCheck(real), candidates(real), 20_000, within);
    expect(r).toBeGreaterThan(0.75);
    expect(r).toBeLessThan(1.33);
  });

  it("a 4 KB token, where a character-by-character comparison would double the time", () => {
    const real = Array.from(
      { length: 4096 },
      (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36],
    ).join("");
    const tokens = candidates(real);
    // The harness sees such a leak: an early-exit loop over the same tokens.
    const leaky: Check = (token) => {
      for (let i = 0; i < real.length; i++)
        if (token.charCodeAt(i) !== real.charCodeAt(i)) return false;
      return true;
    };
    expect(ratio(leaky, tokens, 4000, (r) => r > 3)).toBeGreaterThan(3);
    const r = ratio(middlewareCheck(real), tokens, 4000, within);
    expect(r).toBeGreaterThan(0.75);
    expect(r).toBeLessThan(1.33);
  });
});

describe("tokens in the real server", () => {
  const TOKEN = "tok-Valid-7f3a9c2e5b1d8f4a6c0e2b9d";
  const WRONG = "tok-Wrong-7f3a9c2e5b1d8f4a6c0e2b9d";
  const OTHER = "second-token-aa11bb22cc33dd44";
  let server: HostileServer;

  beforeAll(async () => {
    server = await startHostileServer("hostile-input", {
      API_TOKENS: `${TOKEN},${OTHER}`,
      LOG_LEVEL: "trace",
    });
  });
  afterAll(async () => {
    if (server.spawned.child.exitCode === null) await server.stop();
  });

  it.each([
    ["no Authorization", 401, {}, 'Bearer realm="api"'],
    [
      "another scheme",
      401,
      { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}` },
      'Bearer realm="api"',
    ],
    [
      "a wrong token",
      401,
      { Authorization: `Bearer ${WRONG}` },
      'Bearer realm="api", error="invalid_token"',
    ],
    [
      "Bearer alone",
      400,
      { Authorization: "Bearer" },
      'Bearer realm="api", error="invalid_request"',
    ],
    [
      "two tokens",
      400,
      { Authorization: `Bearer ${TOKEN} ${TOKEN}` },
      'Bearer realm="api", error="invalid_request"',
    ],
    [
      "bad characters",
      400,
      { Authorization: `Bearer ${TOKEN}!` },
      'Bearer realm="api", error="invalid_request"',
    ],
    [
      "a non-ASCII byte",
      400,
      { Authorization: `Bearer ${TOKEN}\xe9` },
      'Bearer realm="api", error="invalid_request"',
    ],
    ["a valid token", 200, { Authorization: `Bearer ${TOKEN}` }, undefined],
    [
      "the second valid token, lower-case scheme",
      200,
      { Authorization: `bearer ${OTHER}` },
      undefined,
    ],
  ])("%s → %i", async (_case, status, headers, challenge) => {
    const res = await get(server, "/api/secure", headers);
    expect(res.status).toBe(status);
    expect(res.headers["www-authenticate"]).toBe(challenge);
    if (status !== 200) expect(JSON.parse(res.body)).toEqual({ message: expect.any(String) });
  });

  it("writes no token and no Authorization value in any log line at LOG_LEVEL=trace", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    // Every path a request with a token can take: served, refused, failed, not found, unparseable.
    await get(server, "/api/secure", auth);
    await get(server, "/api/secure", { Authorization: `Bearer ${WRONG}` });
    await get(server, "/api/echo", { ...auth, Cookie: `session=${TOKEN}` });
    await get(server, "/api/nowhere", auth);
    await get(server, "/api/reflect?v=%0d%0a", auth);
    await get(server, "/api/%", auth);
    await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", {
        ...auth,
        "Content-Type": "application/json",
        "Content-Length": 3,
      }) + "{x}",
      {
        responses: 1,
      },
    );
    // Malformed requests that carry the token: Node's parse error holds the raw bytes.
    await exchange(server.port, head("GET /api/secure HTTP/1.1", { ...auth, "Bad Header": "x" }), {
      timeoutMs: 2000,
    });
    await exchange(server.port, head("FOO@ /api/secure HTTP/1.1", auth), { timeoutMs: 2000 });
    await exchange(
      server.port,
      head("GET /api/secure HTTP/1.1", { ...auth, "X-Big": "b".repeat(17_000) }),
      { timeoutMs: 2000 },
    );
    await expectHealthy(server);
    expect(await server.stop()).toBe(0);

    const stdout = server.spawned.stdout();
    expect(stdout).toMatch(/"level":10,[^\n]*secure\.ts handler reached/);
    expect(stdout).toMatch(/"level":20,[^\n]*client error/);
    for (const secret of [TOKEN, WRONG, "Bearer "]) expect(stdout).not.toContain(secret);
    // Bytes logged as a Buffer ({"type":"Buffer","data":[…]}) would hide the token from a plain grep.
    const decoded = stdout.replace(/\{"type":"Buffer","data":\[([\d,]*)\]\}/g, (_m, data: string) =>
      Buffer.from(data ? data.split(",").map(Number) : []).toString("latin1"),
    );
    for (const secret of [TOKEN, WRONG, "Bearer "]) expect(decoded).not.toContain(secret);
  });
});
