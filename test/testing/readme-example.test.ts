import request from "supertest";
import { createTestApp } from "nextpress";

describe("the sample API", () => {
  it("says hello", async () => {
    const { app } = await createTestApp({ routesDir: "routes" });
    await request(app).get("/api/hello").expect(200, { message: "Hello, World!" });
  });

  it("lets only a configured token through", async () => {
    const { app } = await createTestApp({ routesDir: "routes", env: { API_TOKENS: "test-token" } });
    await request(app).get("/api/secure-data").expect(401);
    const res = await request(app).get("/api/secure-data").set("Authorization", "Bearer test-token");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ secret: 42 });
  });

  it("logs what the server would log", async () => {
    const { app, logs } = await createTestApp({ routesDir: "routes", env: { LOG_LEVEL: "info" } });
    await request(app).get("/api/users/42").set("X-Request-Id", "test-1");
    expect(logs).toContainEqual(expect.objectContaining({ reqId: "test-1", url: "/api/users/42", status: 200 }));
  });
});
