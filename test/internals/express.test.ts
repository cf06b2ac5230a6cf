import http from "node:http";
import express from "express";
import request from "supertest";
import { appRouterOf, replaceAppHandle } from "../../src/internals/express";

// The shape of Express 5 that createApp relies on: if an upgrade changes it, these fail.
describe("Express's internals", () => {
  it("lists what app.use adds in app.router's stack, and runs it with handle(req, res, done)", async () => {
    const app = express();
    const router = appRouterOf(app);
    const before = router.stack.length;
    app.get("/x", (_req, res) => void res.end("from the router"));
    expect(appRouterOf(app).stack.length).toBe(before + 1);
    const server = http.createServer((req, res) =>
      appRouterOf(app).handle(req, res, () => res.end("fell through")),
    );
    await request(server).get("/x").expect(200, "from the router");
    await request(server).get("/y").expect(200, "fell through");
  });

  it("runs the handle it was given for app(req, res)", async () => {
    const app = express();
    replaceAppHandle(app, (_req, res) => res.end("replaced"));
    await request(app).get("/").expect(200, "replaced");
  });
});
