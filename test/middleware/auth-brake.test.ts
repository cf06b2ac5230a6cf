import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { listen } from "../helpers/raw-http";
import { exchange } from "../hostile/support";

const GOOD = "Bearer test-token";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET `url` as `ip` (TRUST_PROXY=1), with `authorization` when given. */
function get(app: Express, url: string, ip: string, authorization?: string) {
  const req = request(app).get(url).set("X-Forwarded-For", ip);
  return authorization ? req.set("Authorization", authorization) : req;
}

describe("the failed-token brake (AUTH_FAILURE_LIMIT)", () => {
  const apps: TestApp[] = [];
  const build = async (fixture: string, env: Record<string, string>) => {
    const built = await buildTestApp(fixture, { TRUST_PROXY: "1", ...env });
    apps.push(built);
    return built;
  };
  afterAll(() => Promise.all(apps.map((built) => built.close())));

  it("answers 429 with Retry-After to every protected request from an IP past its wrong tokens, a valid token included", async () => {
    const { app, logs } = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "3/1m" });
    for (let i = 0; i < 3; i++)
      expect((await get(app, "/api/protected", "198.51.100.20", `Bearer guess-${i}`)).status).toBe(
        401,
      );
    for (const authorization of ["Bearer guess-3", GOOD, undefined]) {
      const res = await get(app, "/api/protected", "198.51.100.20", authorization);
      expect(res.status).toBe(429);
      expect(res.body).toEqual({ message: "Too many failed authentication attempts" });
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(55);
    }
    // Unprotected routes still answer it.
    expect((await get(app, "/api/hello", "198.51.100.20")).status).toBe(200);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        ip: "198.51.100.20",
        failures: 3,
        msg: "authenticate: too many wrong tokens from this address: braked",
      }),
    );
  });

  it("leaves other IPs alone", async () => {
    const { app } = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "2/1m" });
    for (let i = 0; i < 3; i++) await get(app, "/api/protected", "198.51.100.21", "Bearer wrong");
    expect((await get(app, "/api/protected", "198.51.100.21", GOOD)).status).toBe(429);
    expect((await get(app, "/api/protected", "198.51.100.22", GOOD)).status).toBe(200);
    expect((await get(app, "/api/protected", "198.51.100.22", "Bearer wrong")).status).toBe(401);
  });

  it("lets a valid token through again once the window has passed", async () => {
    const { app } = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "2/1s" });
    for (let i = 0; i < 2; i++) await get(app, "/api/protected", "198.51.100.23", "Bearer wrong");
    const braked = await get(app, "/api/protected", "198.51.100.23", GOOD);
    expect(braked.status).toBe(429);
    expect(braked.headers["retry-after"]).toBe("1");
    await sleep(1100);
    const res = await get(app, "/api/protected", "198.51.100.23", GOOD);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ file: "protected.ts", auth: { scheme: "bearer", tokenIndex: 0 } });
  });

  it("counts only wrong tokens, not requests without one", async () => {
    const { app } = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "2/1m" });
    for (let i = 0; i < 5; i++)
      expect((await get(app, "/api/protected", "198.51.100.24")).status).toBe(401);
    expect((await get(app, "/api/protected", "198.51.100.24", GOOD)).status).toBe(200);
  });

  it("brakes authenticate called inside a handler, and stays synchronous there (no 'resolved without sending a response')", async () => {
    const { app, logs } = await build("auth", { AUTH_FAILURE_LIMIT: "2/1m" });
    for (let i = 0; i < 2; i++)
      expect((await get(app, "/api/inline", "198.51.100.25", "Bearer wrong")).status).toBe(401);
    expect((await get(app, "/api/inline", "198.51.100.25", GOOD)).status).toBe(429);
    expect((await get(app, "/api/inline", "198.51.100.26", GOOD)).status).toBe(200);
    expect(
      logs.lines.filter((line) => String(line.msg).includes("without sending a response")),
    ).toEqual([]);
  });

  it("is on by default (10 wrong tokens per 15 minutes) and off with AUTH_FAILURE_LIMIT=off", async () => {
    const defaults = await build("rate-limit/routes", {});
    for (let i = 0; i < 10; i++)
      expect(
        (await get(defaults.app, "/api/protected", "198.51.100.27", "Bearer wrong")).status,
      ).toBe(401);
    const braked = await get(defaults.app, "/api/protected", "198.51.100.27", GOOD);
    expect(braked.status).toBe(429);
    expect(Number(braked.headers["retry-after"])).toBeGreaterThan(14 * 60);
    const off = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "off" });
    for (let i = 0; i < 20; i++)
      await get(off.app, "/api/protected", "198.51.100.27", "Bearer wrong");
    expect((await get(off.app, "/api/protected", "198.51.100.27", GOOD)).status).toBe(200);
  });

  it("holds under HTTP pipelining: a burst of wrong tokens on one connection gets at most the limit checked", async () => {
    const { app } = await build("rate-limit/routes", { AUTH_FAILURE_LIMIT: "5/1m" });
    const server = await listen(app);
    try {
      const count = 300;
      const one = (i: number) =>
        `GET /api/protected HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer guess-${i}\r\n\r\n`;
      // One write: the server parses every request from the same socket reads.
      const burst = Array.from({ length: count }, (_, i) => one(i)).join("");
      const { responses } = await exchange(server.port, burst, {
        responses: count,
        timeoutMs: 15_000,
      });
      const statuses = responses.map((res) => res.status);
      expect(statuses).toHaveLength(count);
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(count - 5);
      // And the brake stays on for the next connection, a valid token included.
      const after = await exchange(
        server.port,
        `GET /api/protected HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${GOOD}\r\n\r\n`,
        { responses: 1 },
      );
      expect(after.responses[0]?.status).toBe(429);
    } finally {
      await server.close();
    }
  });
});
