import type { Express } from "express";
import request from "supertest";
import { buildTestApp } from "../helpers/app";
import { listen, rawRequest } from "../helpers/raw-http";

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp("next-api"));
});

describe("headers on every response", () => {
  it.each([
    ["a JSON answer", "/api/method", 200],
    ["a redirect", "/api/redirect/default", 307],
    ["a thrown error", "/api/errors/throw", 500],
    ["an ApiError", "/api/errors/api-error", 418],
    ["an unknown route", "/api/no/such/route", 404],
  ])("has no X-Powered-By on %s", async (_name, path, status) => {
    const res = await request(app).get(path);
    expect(res.status).toBe(status);
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("has no X-Powered-By on a body parser rejection", async () => {
    const res = await request(app)
      .post("/api/body/limit-100")
      .set("Content-Type", "text/plain")
      .send("x".repeat(101));
    expect(res.status).toBe(413);
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("echoes the client's X-Request-Id", async () => {
    const res = await request(app).get("/api/method").set("X-Request-Id", "client-id-42");
    expect(res.headers["x-request-id"]).toBe("client-id-42");
  });

  it("echoes the X-Request-Id on errors too", async () => {
    const res = await request(app).get("/api/errors/throw").set("X-Request-Id", "failing-id-7");
    expect(res.headers["x-request-id"]).toBe("failing-id-7");
  });

  it("makes up an X-Request-Id when the client sends none", async () => {
    const res = await request(app).get("/api/method");
    expect(res.headers["x-request-id"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it("answers an unknown API path with a JSON 404", async () => {
    const res = await request(app).post("/api/no/such/route");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toStrictEqual({ message: "Not Found" });
  });

  describe("the connection after an error", () => {
    let server: Awaited<ReturnType<typeof listen>>;
    beforeAll(async () => {
      server = await listen(app);
    });
    afterAll(() => server.close());

    it.each([
      ["a 404", "/api/no/such/route", 404],
      ["a 400 for a malformed path", "/api/%", 400],
      ["a thrown error", "/api/errors/throw", 500],
      ["an ApiError", "/api/errors/api-error", 418],
    ])("stays open after %s on a request without a body", async (_name, path, status) => {
      const res = await rawRequest({
        port: server.port,
        method: "GET",
        path,
        headers: { Connection: "keep-alive" },
      });
      expect(res.status).toBe(status);
      expect(res.headers.connection).toBe("keep-alive");
    });

    it("is closed after a 404 whose request body was never read", async () => {
      const res = await rawRequest({
        port: server.port,
        path: "/api/no/such/route",
        headers: { Connection: "keep-alive", "Content-Length": 10 },
        end: false,
      });
      expect(res.status).toBe(404);
      expect(res.headers.connection).toBe("close");
    });
  });
});
