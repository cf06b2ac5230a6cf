import request from "supertest";
import { buildTestApp } from "../helpers/app";

describe("health checks", () => {
  it("GET /healthz answers 200 without a token", async () => {
    const { app } = await buildTestApp("production", { API_TOKENS: "" });
    const res = await request(app).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("GET /readyz is 200 once the routes are loaded and 503 while draining", async () => {
    const { app, lifecycle } = await buildTestApp("production");
    expect((await request(app).get("/readyz")).body).toEqual({ status: "ready" });
    lifecycle.draining = true;
    const draining = await request(app).get("/readyz");
    expect(draining.status).toBe(503);
    expect(draining.body).toEqual({ status: "draining" });
    expect((await request(app).get("/healthz")).status).toBe(200);
  });

  it("are not logged at info, unlike API requests", async () => {
    const { app, logs } = await buildTestApp("production");
    await request(app).get("/healthz");
    await request(app).get("/readyz");
    await request(app).get("/api/whoami");
    const completed = logs.lines.filter((l) => l.msg === "request completed");
    expect(completed.filter((l) => l.level === 30).map((l) => l.url)).toEqual(["/api/whoami"]);
    expect(completed.filter((l) => l.level === 20).map((l) => l.url)).toEqual([
      "/healthz",
      "/readyz",
    ]);
  });
});
