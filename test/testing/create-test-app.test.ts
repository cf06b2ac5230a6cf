import path from "node:path";
import pino from "pino";
import request from "supertest";
import * as nextpress from "nextpress";
import { ConfigError, RouteLoadError, type Middleware } from "../../src";
import { createTestApp } from "../../src/testing";
import { fixture } from "../helpers/app";

const ROUTES = fixture("dev-basic");

describe("createTestApp", () => {
  it("builds the app for a routes folder, ready for supertest", async () => {
    const { app } = await createTestApp({ routesDir: ROUTES });
    const res = await request(app).get("/api/hello");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ file: "hello.ts", version: 1 });
    expect(res.headers["x-request-id"]).toEqual(expect.any(String));
    expect((await request(app).get("/api/nothing-here")).status).toBe(404);
  });

  it("resolves a relative routesDir from the working directory", async () => {
    const { config } = await createTestApp({ routesDir: path.relative(process.cwd(), ROUTES) });
    expect(config.routesDir).toBe(ROUTES);
  });

  it("reads its configuration from `env` only, never implicitly from process.env", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      API_TOKENS: "from-process-env",
      BODY_LIMIT: "2kb",
      ROUTES_DIR: "/nowhere",
    });
    try {
      const { config } = await createTestApp({ routesDir: ROUTES });
      expect(config.apiTokens).toEqual([]);
      expect(config.bodyLimit).toBe("1mb");
      const passed = await createTestApp({ routesDir: ROUTES, env: process.env });
      expect(passed.config.apiTokens).toEqual(["from-process-env"]);
      expect(passed.config.bodyLimit).toBe("2kb");
      expect(passed.config.routesDir).toBe(ROUTES);
    } finally {
      process.env = saved;
    }
  });

  it("applies `env` over the defaults, as the server reads it", async () => {
    const { app, config } = await createTestApp({
      routesDir: ROUTES,
      env: { API_TOKENS: "a, b", BODY_LIMIT: "10b" },
    });
    expect(config.apiTokens).toEqual(["a", "b"]);
    const res = await request(app)
      .post("/api/hello")
      .set("Content-Type", "text/plain")
      .send("more than ten bytes");
    expect(res.status).toBe(413);
  });

  it("rejects a bad variable with the ConfigError start-up would give", async () => {
    await expect(createTestApp({ routesDir: ROUTES, env: { BODY_LIMIT: "lots" } })).rejects.toThrow(
      ConfigError,
    );
    await expect(createTestApp({ routesDir: ROUTES, env: { BODY_LIMIT: "lots" } })).rejects.toThrow(
      /BODY_LIMIT="lots"/,
    );
  });

  it("rejects a broken routes folder with the RouteLoadError start-up would give", async () => {
    const attempt = createTestApp({ routesDir: fixture("server-broken") });
    await expect(attempt).rejects.toThrow(RouteLoadError);
    await expect(attempt).rejects.toThrow(
      /boom\.ts: throws on import: Error: boom\.ts exploded on import/,
    );
  });

  it("logs nothing by default", async () => {
    const { app, config, logs } = await createTestApp({ routesDir: ROUTES });
    await request(app).get("/api/hello");
    expect(config.logLevel).toBe("silent");
    expect(logs).toEqual([]);
  });

  it("captures every line at LOG_LEVEL and above, parsed, as soon as it is logged", async () => {
    const { app, logs } = await createTestApp({ routesDir: ROUTES, env: { LOG_LEVEL: "info" } });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringMatching(/^no API tokens configured/),
      }),
    );
    await request(app).get("/api/hello").set("X-Request-Id", "captured-1");
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: "request completed",
        reqId: "captured-1",
        method: "GET",
        url: "/api/hello",
        status: 200,
      }),
    );
    const warnOnly = await createTestApp({ routesDir: ROUTES, env: { LOG_LEVEL: "warn" } });
    await request(warnOnly.app).get("/api/hello");
    expect(warnOnly.logs.map((line) => line.level)).toEqual([40]);
  });

  it("runs `middleware` first in every route's chain", async () => {
    const stamp: Middleware = (_req, res, next) => {
      res.setHeader("X-Stamp", "global");
      next();
    };
    const { app } = await createTestApp({ routesDir: ROUTES, middleware: [stamp] });
    const res = await request(app).get("/api/other");
    expect(res.headers["x-stamp"]).toBe("global");
    expect(res.body).toEqual({ file: "other.ts" });
  });

  it("logs to a given logger instead, leaving `logs` empty", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const { app, logs } = await createTestApp({ routesDir: ROUTES, logger });
    await request(app).get("/api/hello").set("X-Request-Id", "own-logger");
    expect(logs).toEqual([]);
    expect(lines.some((line) => line.includes('"reqId":"own-logger"'))).toBe(true);
  });

  it("is part of the package's public surface", () => {
    expect(nextpress.createTestApp).toBe(createTestApp);
  });
});
