import request from "supertest";
import { createAuthenticate } from "../../src/middleware/authenticate";
import type { NextApiRequest, NextApiResponse } from "../../src/types";
import { buildTestApp } from "../helpers/app";

describe("authenticate", () => {
  it("lets a request with a configured token through and sets req.auth", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "first,second" });
    const res = await request(app).get("/api/inline").set("Authorization", "Bearer second");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ file: "inline.ts", auth: { scheme: "bearer", tokenIndex: 1 } });
  });

  it("accepts the scheme name in any case", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    expect((await request(app).get("/api/inline").set("Authorization", "bearer tok")).status).toBe(200);
  });

  it.each([
    ["no Authorization header", undefined],
    ["another scheme", "Basic dXNlcjpwYXNz"],
  ])("answers 401 with a Bearer challenge for %s", async (_case, header) => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    const req = request(app).get("/api/inline");
    const res = await (header ? req.set("Authorization", header) : req);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(res.body).toEqual({ message: "Unauthorized" });
  });

  it("answers 401 invalid_token for a wrong token and never runs the callback", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    const res = await request(app).get("/api/chained").set("Authorization", "Bearer tok-but-longer");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
    expect(res.body).toEqual({ message: "Unauthorized" });
    const ok = await request(app).get("/api/chained").set("Authorization", "Bearer tok");
    expect(ok.body).toEqual({ file: "chained.ts", reached: 1 });
  });

  it.each(["Bearer", "Bearer ", "Bearer two tokens", "Bearer t@ken"])(
    "answers 400 invalid_request for the malformed header %j (RFC 6750)",
    async (header) => {
      const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
      const res = await request(app).get("/api/inline").set("Authorization", header);
      expect(res.status).toBe(400);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_request"');
      expect(res.body).toEqual({ message: "Malformed Authorization header" });
    },
  );

  it("refuses every request when no tokens are configured, and warns at start-up", async () => {
    const { app, logs } = await buildTestApp("auth", { API_TOKENS: "" });
    expect((await request(app).get("/api/inline").set("Authorization", "Bearer ")).status).toBe(400);
    expect((await request(app).get("/api/inline").set("Authorization", "Bearer anything")).status).toBe(401);
    expect(logs.lines.some((l) => l.level === 40 && /API_TOKENS is empty/.test(String(l.msg)))).toBe(true);
  });

  it("never writes a token or the Authorization header to the logs", async () => {
    const { app, logs } = await buildTestApp("auth", { API_TOKENS: "s3cret-token-value" });
    await request(app).get("/api/inline").set("Authorization", "Bearer s3cret-token-value");
    await request(app).get("/api/inline").set("Authorization", "Bearer wrong-token-value");
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain("s3cret-token-value");
    expect(logs.text()).not.toContain("wrong-token-value");
  });

  it("compares against every configured token, not just the first", () => {
    const authenticate = createAuthenticate({ tokens: ["a", "b", "c"] });
    const seen: number[] = [];
    for (const token of ["a", "b", "c"]) {
      const req = { headers: { authorization: `Bearer ${token}` } } as unknown as NextApiRequest;
      authenticate(req, {} as NextApiResponse, () => seen.push(req.auth?.tokenIndex ?? -1));
    }
    expect(seen).toEqual([0, 1, 2]);
  });
});
