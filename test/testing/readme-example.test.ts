import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { createTestApp, type TestApp } from "nextpress";

describe("the sample API", () => {
  let sample: TestApp;
  beforeAll(async () => {
    // The sample keeps its users in DATA_DIR (routes/_lib/settings.ts): a throwaway folder per test file.
    process.env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "sample-api-"));
    sample = await createTestApp({
      routesDir: "routes",
      env: { API_TOKENS: "test-token", LOG_LEVEL: "info" },
    });
  }, 120_000); // a new embedded database is created on first use: seconds, a minute on a busy machine
  afterAll(async () => {
    await sample.close(); // instrumentation.ts's shutdown(): closes the database
    rmSync(process.env.DATA_DIR as string, { recursive: true, force: true });
  });

  it("says hello", async () => {
    await request(sample.app).get("/api/hello").expect(200, { message: "Hello, World!" });
  });

  it("lets only a configured token through", async () => {
    await request(sample.app).get("/api/secure-data").expect(401);
    const res = await request(sample.app)
      .get("/api/secure-data")
      .set("Authorization", "Bearer test-token");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ secret: 42 });
  });

  it("keeps a user it creates", async () => {
    const created = await request(sample.app)
      .post("/api/users")
      .send({ name: "Ada", email: "ada@example.com" })
      .expect(201);
    const res = await request(sample.app).get(created.headers.location).expect(200);
    expect(res.body).toMatchObject({ id: created.body.id, name: "Ada", email: "ada@example.com" });
  });

  it("logs what the server would log", async () => {
    await request(sample.app).get("/api/users/42").set("X-Request-Id", "test-1");
    expect(sample.logs).toContainEqual(
      expect.objectContaining({ reqId: "test-1", url: "/api/users/42", status: 404 }),
    );
  });
});
