import type { Express } from "express";
import request from "supertest";
import { buildTestApp } from "../helpers/app";

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp("mw-npm"));
});

let clients = 0;
/** A client name no other test uses: the rate limiters count per X-Client. */
const newClient = (): string => `client-${++clients}`;

function preflight(url: string, origin: string) {
  return request(app)
    .options(url)
    .set("Origin", origin)
    .set("Access-Control-Request-Method", "POST");
}

describe("the cors package, unchanged", () => {
  it.each([
    ["a file's middleware export", "/api/cors", "*"],
    ["a single middleware on a method-export route", "/api/cors-methods", "https://app.example"],
    ["a folder's _middleware", "/api/cors-folder/route", "https://folder.example"],
    ["withMiddleware", "/api/cors-wrapped", "https://wrapped.example"],
  ])(
    "answers a preflight in %s with 204 and Access-Control-Allow-Origin",
    async (_where, url, allowed) => {
      const res = await preflight(url, "https://app.example");
      expect(res.status).toBe(204);
      expect(res.headers["access-control-allow-origin"]).toBe(allowed);
      expect(res.headers["access-control-allow-methods"]).toBeDefined();
      expect(res.text).toBe("");
    },
  );

  it("answers the preflight itself on a method-export route: no automatic Allow, the CORS methods instead", async () => {
    const res = await preflight("/api/cors-methods", "https://app.example");
    expect(res.headers.allow).toBeUndefined();
    expect(res.headers["access-control-allow-methods"]).toBe("GET,POST");
  });

  it("adds Access-Control-Allow-Origin to the handler's own answer", async () => {
    const res = await request(app).get("/api/cors").set("Origin", "https://elsewhere.example");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: "cors.ts", method: "GET" });
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    const methods = await request(app)
      .get("/api/cors-methods")
      .set("Origin", "https://app.example");
    expect(methods.headers["access-control-allow-origin"]).toBe("https://app.example");
  });
});

describe("express-rate-limit, unchanged", () => {
  it.each([
    ["a file's middleware export", "/api/limited"],
    ["a folder's _middleware", "/api/limited-folder/route"],
    ["withMiddleware", "/api/limited-wrapped"],
  ])(
    "in %s lets the first request through and answers the second with 429",
    async (_where, url) => {
      const client = newClient();
      const first = await request(app).get(url).set("X-Client", client);
      expect(first.status).toBe(200);
      const second = await request(app).get(url).set("X-Client", client);
      expect(second.status).toBe(429);
      expect(second.headers["retry-after"]).toBeDefined();
    },
  );

  it("counts each client on its own", async () => {
    const [a, b] = [newClient(), newClient()];
    expect((await request(app).get("/api/limited").set("X-Client", a)).status).toBe(200);
    expect((await request(app).get("/api/limited").set("X-Client", b)).status).toBe(200);
    expect((await request(app).get("/api/limited").set("X-Client", a)).status).toBe(429);
  });

  it("keeps its count across requests because the chain is composed once, at start-up", async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await request(app).get("/api/limited").set("X-Client", client)).status);
    expect(statuses).toStrictEqual([200, 429, 429]);
  });

  it("works after cors in one chain: the 429 carries the CORS header", async () => {
    const client = newClient();
    const first = await request(app)
      .get("/api/both")
      .set("X-Client", client)
      .set("Origin", "https://x.example");
    expect(first.status).toBe(200);
    expect(first.body).toStrictEqual({ file: "both.ts" });
    const second = await request(app)
      .get("/api/both")
      .set("X-Client", client)
      .set("Origin", "https://x.example");
    expect(second.status).toBe(429);
    expect(second.headers["access-control-allow-origin"]).toBe("*");
  });
});
