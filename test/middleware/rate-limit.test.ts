import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";

const FIXTURE = "rate-limit/routes";

/** `count` GETs of `url` in turn, from `ip` (through TRUST_PROXY=1's X-Forwarded-For), their statuses. */
async function statuses(
  app: Express,
  url: string,
  count: number,
  ip = "198.51.100.7",
): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++)
    result.push((await request(app).get(url).set("X-Forwarded-For", ip)).status);
  return result;
}

describe("rate limits", () => {
  const apps: TestApp[] = [];
  const build = async (env: Record<string, string>) => {
    const built = await buildTestApp(FIXTURE, { TRUST_PROXY: "1", ...env });
    apps.push(built);
    return built;
  };
  afterAll(() => Promise.all(apps.map((built) => built.close())));

  it("answers past RATE_LIMIT with 429 JSON, Retry-After and the draft-8 RateLimit headers", async () => {
    const { app } = await build({ RATE_LIMIT: "3/1m" });
    const first = await request(app).get("/api/hello").set("X-Forwarded-For", "198.51.100.1");
    expect(first.status).toBe(200);
    expect(first.headers.ratelimit).toBe('"3-in-1min"; r=2; t=60');
    expect(first.headers["ratelimit-policy"]).toMatch(
      /^"3-in-1min"; q=3; w=60; pk=:[A-Za-z0-9+/=]+:$/,
    );
    expect(first.headers["x-ratelimit-limit"]).toBeUndefined();
    await statuses(app, "/api/hello", 2, "198.51.100.1");
    const refused = await request(app).get("/api/hello").set("X-Forwarded-For", "198.51.100.1");
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ message: "Too Many Requests" });
    expect(refused.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(55);
    expect(refused.headers.ratelimit).toBe('"3-in-1min"; r=0; t=60');
  });

  it("counts each client IP apart (req.ip, so TRUST_PROXY decides)", async () => {
    const { app } = await build({ RATE_LIMIT: "2/1m" });
    expect(await statuses(app, "/api/hello", 3, "198.51.100.2")).toEqual([200, 200, 429]);
    expect(await statuses(app, "/api/hello", 3, "198.51.100.3")).toEqual([200, 200, 429]);
  });

  it("gives every route without its own limit one shared budget, app routes included", async () => {
    const { app } = await build({ RATE_LIMIT: "3/1m" });
    expect(await statuses(app, "/api/hello", 1)).toEqual([200]);
    expect(await statuses(app, "/api/other", 1)).toEqual([200]);
    expect(await statuses(app, "/web/shared", 1)).toEqual([200]);
    expect(await statuses(app, "/api/other", 1)).toEqual([429]);
    expect(await statuses(app, "/web/shared", 1)).toEqual([429]);
  });

  it("gives a route with its own rateLimit its own budget, in every route style, with RATE_LIMIT on or off", async () => {
    for (const env of [{ RATE_LIMIT: "100/1m" }, {}] as Record<string, string>[]) {
      const { app } = await build(env);
      for (const url of ["/api/strict", "/api/edge", "/web/limited"]) {
        expect(await statuses(app, url, 3)).toEqual([200, 200, 429]);
      }
      const own = await request(app).get("/api/strict").set("X-Forwarded-For", "203.0.113.9");
      expect(own.headers.ratelimit).toBe('"2-in-1min"; r=1; t=60');
    }
  });

  it("does not limit a route with rateLimit: false, nor anything when RATE_LIMIT is off", async () => {
    const limited = await build({ RATE_LIMIT: "1/1m" });
    expect(await statuses(limited.app, "/api/unlimited", 5)).toEqual([200, 200, 200, 200, 200]);
    const off = await build({});
    expect(await statuses(off.app, "/api/hello", 5)).toEqual([200, 200, 200, 200, 200]);
    expect((await request(off.app).get("/api/hello")).headers.ratelimit).toBeUndefined();
  });

  it("refuses before the body is read, and leaves health checks and 404s alone", async () => {
    const { app, logs } = await build({ RATE_LIMIT: "1/1m" });
    const body = { data: "x".repeat(1000) };
    expect(
      (await request(app).post("/api/upload").set("X-Forwarded-For", "192.0.2.5").send(body)).body,
    ).toEqual({ file: "upload.ts", bytes: 1011 });
    // Over the 1mb body limit: read first, it would be a 413.
    const refused = await request(app)
      .post("/api/upload")
      .set("X-Forwarded-For", "192.0.2.5")
      .send({ data: "x".repeat(1_500_000) });
    expect(refused.status).toBe(429);
    expect(await statuses(app, "/healthz", 3, "192.0.2.5")).toEqual([200, 200, 200]);
    expect(await statuses(app, "/api/nothing-here", 3, "192.0.2.5")).toEqual([404, 404, 404]);
    expect(logs.lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
  });
});

describe("a route's rateLimit that cannot be read", () => {
  it("stops start-up naming every such file, pages and app routes alike", async () => {
    await expect(buildTestApp("loader-bad-rate-limit/routes")).rejects.toThrow(
      /bad\.ts[\s\S]*config\.rateLimit: expected requests per window such as "100\/1m"[\s\S]*app\/bad\/route\.ts[\s\S]*export const rateLimit: expected requests per window/,
    );
  });
});
