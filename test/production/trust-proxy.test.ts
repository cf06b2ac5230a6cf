import request from "supertest";
import { buildTestApp } from "../helpers/app";

describe("TRUST_PROXY", () => {
  it("ignores X-Forwarded-* by default", async () => {
    const { app } = await buildTestApp("production");
    const res = await request(app)
      .get("/api/whoami")
      .set("X-Forwarded-For", "203.0.113.9")
      .set("X-Forwarded-Proto", "https")
      .set("X-Forwarded-Host", "api.example");
    expect(res.body).toMatchObject({ protocol: "http" });
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(res.body.hostname).not.toBe("api.example");
  });

  it("with TRUST_PROXY=1 believes exactly one hop: the address the proxy saw, not what the client claimed", async () => {
    const { app } = await buildTestApp("production", { TRUST_PROXY: "1" });
    const res = await request(app)
      .get("/api/whoami")
      .set("X-Forwarded-For", "198.51.100.66, 203.0.113.9")
      .set("X-Forwarded-Proto", "https")
      .set("X-Forwarded-Host", "api.example");
    expect(res.body).toMatchObject({
      ip: "203.0.113.9",
      protocol: "https",
      hostname: "api.example",
    });
  });

  it("with a CIDR list trusts only proxies inside it", async () => {
    const { app } = await buildTestApp("production", { TRUST_PROXY: "10.0.0.0/8" });
    const res = await request(app).get("/api/whoami").set("X-Forwarded-For", "203.0.113.9");
    // The direct peer (loopback) is not in 10.0.0.0/8, so its header is not believed.
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
  });
});
