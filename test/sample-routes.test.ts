import { existsSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import type { AddressInfo } from "node:net";
import { createAppServer } from "../src/app/app-server";
import { createApp, type NextpressApp } from "../src/app/create-app";
import { loadConfig } from "../src/config";
import { connectWebSocket } from "../src/testing";
import { captureLogger } from "./helpers/app";
import { PROJECT_ROOT } from "./helpers/process";

// The sample API in routes/, with the project's instrumentation.ts, built as `npm start` builds it
// (ROUTES_DIR unset) in this process; its users live in the test file's DATA_DIR (test/environment.js).
// test/sample/ runs the users resource through the real server process on both engines.
describe("the sample routes", () => {
  let built: NextpressApp;
  beforeAll(async () => {
    built = await createApp(loadConfig({ API_TOKENS: "sample-token", WEBSOCKETS: "on" }), {
      logger: captureLogger().logger,
    });
  }, 60_000);

  it("runs the project's instrumentation.ts: register() opened and migrated the database in DATA_DIR", () => {
    expect(built.instrumentation.file).toBe(path.join(PROJECT_ROOT, "instrumentation.ts"));
    expect(existsSync(path.join(process.env.DATA_DIR as string, "nextpress.db"))).toBe(true);
    expect(existsSync(path.join(process.env.DATA_DIR as string, "nextpress.db-wal"))).toBe(true);
  });

  it("GET /api/hello says hello", async () => {
    const res = await request(built.app).get("/api/hello");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Hello, World!" });
  });

  it("POST /api/users creates a user that GET /api/users/[id] and GET /api/users then answer", async () => {
    const created = await request(built.app)
      .post("/api/users")
      .send({ name: "Ada", email: "ada@example.com" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      name: "Ada",
      email: "ada@example.com",
    });
    expect(created.headers.location).toBe(`/api/users/${created.body.id}`);
    expect((await request(built.app).get(created.headers.location)).body).toEqual(created.body);
    expect((await request(built.app).get("/api/users")).body).toEqual({
      users: [created.body],
      total: 1,
      next: null,
    });
  });

  it("POST /api/users with a bad email or no name is a 400 listing each issue", async () => {
    const res = await request(built.app).post("/api/users").send({ email: "not-an-email" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid request");
    expect(res.body.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual([
      "body.name",
      "body.email",
    ]);
  });

  it.each(["put", "delete", "patch"] as const)(
    "%s /api/users is 405 with Allow: GET, HEAD, POST, OPTIONS",
    async (method) => {
      const res = await request(built.app)[method]("/api/users");
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD, POST, OPTIONS");
      expect(res.body).toEqual({ message: "Method Not Allowed" });
    },
  );

  it("OPTIONS /api/users/[id] answers 204 with Allow", async () => {
    const res = await request(built.app).options("/api/users/1");
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
  });

  it("GET /api/admin/stats is protected by the folder's _middleware", async () => {
    expect((await request(built.app).get("/api/admin/stats")).status).toBe(401);
    const res = await request(built.app)
      .get("/api/admin/stats")
      .set("Authorization", "Bearer sample-token");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenIndex: 0 });
    expect(
      (
        await request(built.app)
          .post("/api/admin/stats")
          .set("Authorization", "Bearer sample-token")
      ).status,
    ).toBe(405);
  });

  it("GET /api/secure-data needs a Bearer token", async () => {
    const refused = await request(built.app).get("/api/secure-data");
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/);
    const allowed = await request(built.app)
      .get("/api/secure-data")
      .set("Authorization", "Bearer sample-token");
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ message: "This is protected data", data: { secret: 42 } });
  });

  it("GET /api/greet/[name] is an app-router route handler (app/api/greet/[name]/route.ts)", async () => {
    const app = built.app;
    expect((await request(app).get("/api/greet/Ada")).body).toEqual({ message: "Hello, Ada!" });
    const shout = await request(app).get("/api/greet/Ada?shout=1");
    expect(shout.headers["content-type"]).toBe("application/json");
    expect(shout.body).toEqual({ message: "HELLO, ADA!" });
  });

  it("/api/chat/[room] is a WebSocket chat room: members hear each other, other rooms do not", async () => {
    const server = createAppServer(built);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat`;
    try {
      const ada = await connectWebSocket(`${base}/lobby?name=ada`);
      expect(JSON.parse(String(await ada.nextMessage()))).toEqual({
        type: "welcome",
        room: "lobby",
        name: "ada",
      });
      const bob = await connectWebSocket(`${base}/lobby?name=bob`);
      const eve = await connectWebSocket(`${base}/other?name=eve`);
      await bob.nextMessage();
      await eve.nextMessage();
      expect(JSON.parse(String(await ada.nextMessage()))).toEqual({ type: "joined", name: "bob" });
      bob.send("hi ada");
      expect(JSON.parse(String(await ada.nextMessage()))).toEqual({
        type: "message",
        name: "bob",
        text: "hi ada",
      });
      bob.close();
      expect(JSON.parse(String(await ada.nextMessage()))).toEqual({ type: "left", name: "bob" });
      eve.send("anyone?");
      ada.send("still here");
      ada.close();
      eve.close();
      await Promise.all([ada.closed, eve.closed]);
      expect((await fetch(`${base.replace(/^ws/, "http")}/lobby`)).status).toBe(426);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("POST /api/edge-echo is an edge pages route: a Web Request in, a Response out", async () => {
    const app = built.app;
    const echo = await request(app)
      .post("/api/edge-echo")
      .set("Content-Type", "text/plain")
      .send("hello, world.");
    expect(echo.text).toBe("got: hello, world.");
    const get = await request(app).get("/api/edge-echo");
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });

  it("close() runs instrumentation's shutdown(): the database is closed, its WAL folded into the file", async () => {
    await built.close();
    expect(existsSync(path.join(process.env.DATA_DIR as string, "nextpress.db-wal"))).toBe(false);
  });
});
