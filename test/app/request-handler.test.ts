import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import request from "supertest";
import { createAppServer } from "../../src/app/app-server";
import type { Middleware } from "../../src/types";
import { buildTestApp } from "../helpers/app";

function describeLocals(locals: unknown): string {
  if (locals === undefined) return "none";
  return Object.getPrototypeOf(locals) === null ? "object without prototype" : "object";
}

/** What a function mounted with `app.use` sees of Express, as plain data. */
function observe(req: Request, res: Response, app: unknown) {
  return {
    locals: describeLocals(res.locals),
    reqApp: req.app === app,
    resApp: res.app === app,
    circular: req.res === res && res.req === req,
    baseUrl: req.baseUrl,
    next: typeof req.next,
    originalUrl: req.originalUrl,
    url: req.url,
    params: req.params,
    route: req.route,
  };
}

describe("a function mounted with app.use", () => {
  it("sees in a nextpress app what it sees in a plain Express 5 app", async () => {
    const plain = express();
    let inPlain: ReturnType<typeof observe> | undefined;
    plain.use((req, res, next) => {
      inPlain = observe(req, res, plain);
      next();
    });
    await request(plain).get("/api/whoami?a=1");

    const { app } = await buildTestApp("production");
    let inNextpress: ReturnType<typeof observe> | undefined;
    app.use((req, res, next) => {
      inNextpress = observe(req, res, app);
      next();
    });
    await request(app).get("/api/whoami?a=1").expect(200);
    expect(inPlain).toEqual({
      locals: "object without prototype",
      reqApp: true,
      resApp: true,
      circular: true,
      baseUrl: "",
      next: "function",
      originalUrl: "/api/whoami?a=1",
      url: "/api/whoami?a=1",
      params: {},
      route: undefined,
    });
    expect(inNextpress).toEqual(inPlain);
  });

  it("runs after the request id and before the routes, whose handlers see what it added", async () => {
    const { app } = await buildTestApp("express-citizen");
    app.use((req, res, next) => {
      res.locals.seenBy = ["app.use"];
      res.setHeader("X-Seen-Request-Id", String((req as Request & { id?: string }).id));
      next();
    });
    const res = await request(app).get("/api/probe").set("X-Request-Id", "req-7");
    expect(res.headers["x-seen-request-id"]).toBe("req-7");
    expect(res.body.seenBy).toEqual(["app.use", "_middleware.ts", "probe.ts middleware"]);
  });

  it("can answer a path of its own (app.get), and an error it passes on is the JSON 500", async () => {
    const { app, logs } = await buildTestApp("production");
    app.get(
      "/custom/:name",
      (req, res) => void res.json({ custom: req.params.name, route: req.route.path }),
    );
    app.use("/broken", (_req: Request, _res: Response, next: NextFunction) =>
      next(new Error("app.use failed")),
    );
    expect((await request(app).get("/custom/ada")).body).toEqual({
      custom: "ada",
      route: "/custom/:name",
    });
    const broken = await request(app).get("/broken/x");
    expect(broken.status).toBe(500);
    expect(broken.body).toEqual({ message: "Internal Server Error" });
    expect(
      logs.lines.some(
        (line) => (line.err as { message?: string } | undefined)?.message === "app.use failed",
      ),
    ).toBe(true);
    expect((await request(app).get("/api/whoami")).status).toBe(200);
  });
});

describe("mounted in another Express app", () => {
  it("serves its routes under the mount path and leaves what it does not answer to the outer app", async () => {
    const { app: nextpress } = await buildTestApp("express-citizen");
    const outer = express();
    outer.use("/v1", nextpress);
    outer.use((req, res) => void res.status(418).json({ outer: req.originalUrl }));
    const probe = await request(outer).get("/v1/api/probe?x=1");
    expect(probe.status).toBe(200);
    expect(probe.body.inHandler).toMatchObject({
      baseUrl: "/v1",
      originalUrl: "/v1/api/probe?x=1",
      route: { path: "/api/probe" },
    });
    expect(probe.body.query).toEqual({ x: "1" });
    expect(probe.headers["x-request-id"]).toBeDefined();
    expect((await request(outer).get("/v1/api/items/9")).body.params).toEqual({ id: "9" });
    const fallThrough = await request(outer).get("/v1/api/no-such-route");
    expect(fallThrough.status).toBe(418);
    expect(fallThrough.body).toEqual({ outer: "/v1/api/no-such-route" });
    expect((await request(outer).get("/v1/api/fails?in=handler")).body).toEqual({
      message: "Internal Server Error",
    });
  });
});

describe("one handler", () => {
  it("is what the Express app runs, and what the server listens with", async () => {
    const built = await buildTestApp("production");
    expect((built.app as unknown as { handle: unknown }).handle).toBe(built.handle);
    const server = createAppServer(built);
    expect(server.listeners("request")).toEqual([built.handle]);
  });

  it("runs createApp's global middleware and the route chain with the same req and res a plain call would", async () => {
    const seen: [IncomingMessage, ServerResponse][] = [];
    const record: Middleware = (req, res, next) => {
      seen.push([req as unknown as IncomingMessage, res as unknown as ServerResponse]);
      next();
    };
    const { handle } = await buildTestApp("production", {}, { middleware: [record] });
    const res = await request((req: IncomingMessage, response: ServerResponse) =>
      handle(req, response),
    ).get("/api/whoami");
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect((seen[0][1] as ServerResponse & { locals?: unknown }).locals).toBeDefined();
  });
});
