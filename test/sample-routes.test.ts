import request from "supertest";
import { createApp } from "../src/app/create-app";
import { loadConfig } from "../src/config";
import { captureLogger } from "./helpers/app";

// The sample API in routes/, exactly as `npm start` serves it (ROUTES_DIR unset).
describe("the sample routes", () => {
  async function sampleApp() {
    const { logger } = captureLogger();
    return (await createApp(loadConfig({ API_TOKENS: "sample-token" }), { logger })).app;
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

  it("POST /api/users with a bad email or no name is a 400 listing each issue", async () => {
    const res = await request(await sampleApp()).post("/api/users").send({ email: "not-an-email" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid request");
    expect(res.body.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(["body.name", "body.email"]);
  });

  it.each(["get", "put", "delete", "patch"] as const)("%s /api/users is 405 with Allow: POST, OPTIONS", async (method) => {
    const res = await request(await sampleApp())[method]("/api/users");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST, OPTIONS");
    expect(res.body).toEqual({ message: "Method Not Allowed" });
  });

  it("OPTIONS /api/users answers 204 with Allow", async () => {
    const res = await request(await sampleApp()).options("/api/users");
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe("POST, OPTIONS");
  });

  it("GET /api/admin/stats is protected by the folder's _middleware", async () => {
    const app = await sampleApp();
    expect((await request(app).get("/api/admin/stats")).status).toBe(401);
    const res = await request(app).get("/api/admin/stats").set("Authorization", "Bearer sample-token");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenIndex: 0 });
    expect((await request(app).post("/api/admin/stats").set("Authorization", "Bearer sample-token")).status).toBe(405);
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

  it("GET /api/greet/[name] is an app-router route handler (app/api/greet/[name]/route.ts)", async () => {
    const app = await sampleApp();
    expect((await request(app).get("/api/greet/Ada")).body).toEqual({ message: "Hello, Ada!" });
    const shout = await request(app).get("/api/greet/Ada?shout=1");
    expect(shout.headers["content-type"]).toBe("application/json");
    expect(shout.body).toEqual({ message: "HELLO, ADA!" });
  });

  it("POST /api/edge-echo is an edge pages route: a Web Request in, a Response out", async () => {
    const app = await sampleApp();
    const echo = await request(app).post("/api/edge-echo").set("Content-Type", "text/plain").send("hello, world.");
    expect(echo.text).toBe("got: hello, world.");
    const get = await request(app).get("/api/edge-echo");
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });
});
