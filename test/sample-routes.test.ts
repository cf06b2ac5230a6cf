import request from "supertest";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { captureLogger } from "./helpers/app";

// The sample API in routes/, exactly as `npm start` serves it (ROUTES_DIR unset).
describe("the sample routes", () => {
  async function sampleApp() {
    const { logger } = captureLogger();
    return createApp(loadConfig({ API_TOKENS: "sample-token" }), { logger });
  }

  it("GET /api/hello says hello", async () => {
    const res = await request(await sampleApp()).get("/api/hello");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Hello, World!" });
  });

  it("POST /api/users creates a user from JSON", async () => {
    const res = await request(await sampleApp()).post("/api/users").send({ name: "Ada", email: "ada@example.com" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ message: "User created", user: { name: "Ada", email: "ada@example.com" } });
  });

  it("POST /api/users without name or email is a 400", async () => {
    const res = await request(await sampleApp()).post("/api/users").send({ name: "Ada" });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/name and email/);
  });

  it.each(["get", "put", "delete"] as const)("%s /api/users is 405 with Allow: POST", async (method) => {
    const res = await request(await sampleApp())[method]("/api/users");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST");
    expect(res.body).toEqual({ message: "Method Not Allowed" });
  });

  it("GET /api/users/[id] echoes the param", async () => {
    const res = await request(await sampleApp()).get("/api/users/42");
    expect(res.body).toEqual({ id: "42" });
  });

  it("GET /api/secure-data needs a Bearer token", async () => {
    const app = await sampleApp();
    const refused = await request(app).get("/api/secure-data");
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/);
    const allowed = await request(app).get("/api/secure-data").set("Authorization", "Bearer sample-token");
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ message: "This is protected data", data: { secret: 42 } });
  });
});
