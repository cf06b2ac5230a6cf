import request from "supertest";
import { buildTestApp } from "../helpers/app";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none';frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
};

describe("security headers", () => {
  it.each([
    ["a route", "get", "/api/whoami", 200],
    ["a 404", "get", "/api/nothing-here", 404],
    ["a 400", "get", "/api/%E0%A4%A", 400],
    ["a 500", "get", "/api/boom", 500],
    ["a 413", "post", "/api/whoami", 413],
    ["a 308", "get", "/api/whoami/", 308],
    ["the health check", "get", "/healthz", 200],
    ["a path outside /api", "get", "/elsewhere", 404],
  ] as const)("are on %s", async (_case, method, url, status) => {
    const { app } = await buildTestApp("production", { BODY_LIMIT: "10b" });
    const agent = request(app);
    const res = await agent[method](url)
      .set("Content-Type", "text/plain")
      .send(method === "post" ? "x".repeat(11) : undefined);
    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });
});

describe("CORS", () => {
  it("sends no CORS headers when CORS_ORIGINS is empty", async () => {
    const { app } = await buildTestApp("production");
    const res = await request(app).get("/api/whoami").set("Origin", "https://app.example");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows exactly the listed origins", async () => {
    const { app } = await buildTestApp("production", {
      CORS_ORIGINS: "https://app.example,https://admin.example",
    });
    const allowed = await request(app).get("/api/whoami").set("Origin", "https://admin.example");
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://admin.example");
    expect(allowed.headers.vary).toMatch(/Origin/);
    const refused = await request(app).get("/api/whoami").set("Origin", "https://evil.example");
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers a preflight for a listed origin with 204", async () => {
    const { app } = await buildTestApp("production", { CORS_ORIGINS: "https://app.example" });
    const res = await request(app)
      .options("/api/whoami")
      .set("Origin", "https://app.example")
      .set("Access-Control-Request-Method", "POST");
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(res.headers["access-control-allow-methods"]).toContain("POST");
  });

  it("allows any origin with CORS_ORIGINS=*", async () => {
    const { app } = await buildTestApp("production", { CORS_ORIGINS: "*" });
    const res = await request(app).get("/api/whoami").set("Origin", "https://anywhere.example");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });
});
