import type { Express } from "express";
import request from "supertest";
import type { Middleware } from "../../src/types";
import { buildTestApp } from "../helpers/app";

function tracer(name: string): Middleware {
  return (_req, res, next) => {
    const previous = res.getHeader("X-Trace");
    res.setHeader("X-Trace", previous === undefined ? name : `${String(previous)}, ${name}`);
    next();
  };
}

describe("middleware order: global → folders from the root down → the file's → the endpoint's → handler", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp(
      "mw-order",
      {},
      { middleware: [tracer("global1"), tracer("global2")] },
    ));
  });

  it("runs every ancestor folder's _middleware, root first, then the file's, then defineRoute's", async () => {
    const res = await request(app).get("/api/a/b/deep");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      file: "a/b/deep.ts GET",
      trace: ["global1", "global2", "root", "a1", "a2", "b", "file1", "file2", "endpoint"],
    });
  });

  it("gives a method export without its own middleware only the shared chain", async () => {
    const res = await request(app).post("/api/a/b/deep");
    expect(res.body.trace).toStrictEqual([
      "global1",
      "global2",
      "root",
      "a1",
      "a2",
      "b",
      "file1",
      "file2",
    ]);
  });

  it("runs a method's own middleware for HEAD too, and sends the trace without a body", async () => {
    const res = await request(app).head("/api/a/b/deep");
    expect(res.status).toBe(200);
    expect(res.headers["x-trace"]).toBe(
      "global1, global2, root, a1, a2, b, file1, file2, endpoint",
    );
  });

  it("applies a folder's _middleware to every folder below it, and a single-function middleware export", async () => {
    const res = await request(app).get("/api/a/b/c/leaf");
    expect(res.body).toStrictEqual({
      file: "a/b/c/leaf.ts",
      trace: ["global1", "global2", "root", "a1", "a2", "b", "leaf"],
    });
  });

  it("does not apply a folder's _middleware to its parent's other routes or to sibling folders", async () => {
    expect((await request(app).get("/api/a/sibling")).body.trace).toStrictEqual([
      "global1",
      "global2",
      "root",
      "a1",
      "a2",
    ]);
    expect((await request(app).get("/api/other/x")).body.trace).toStrictEqual([
      "global1",
      "global2",
      "root",
    ]);
    expect((await request(app).get("/api/top")).body.trace).toStrictEqual([
      "global1",
      "global2",
      "root",
    ]);
  });

  it("sets the trace header on the response the client sees, in the same order", async () => {
    const res = await request(app).get("/api/a/sibling");
    expect(res.headers["x-trace"]).toBe("global1, global2, root, a1, a2");
  });

  it("runs no global middleware when createApp is given none", async () => {
    const { app: plain } = await buildTestApp("mw-order");
    expect((await request(plain).get("/api/top")).body.trace).toStrictEqual(["root"]);
  });

  it("does not run the chain for a request no route matches", async () => {
    const res = await request(app).get("/api/a/b/missing");
    expect(res.status).toBe(404);
    expect(res.headers["x-trace"]).toBeUndefined();
  });
});

describe("opting out of folder middleware with config.middleware.inherit = false", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("mw-opt-out", {}, { middleware: [tracer("global")] }));
  });

  it("keeps every ancestor folder's _middleware for a route that does not opt out", async () => {
    const res = await request(app).get("/api/sub/inherits");
    expect(res.body.trace).toStrictEqual(["global", "root", "sub", "file"]);
  });

  it("keeps them with an explicit inherit: true", async () => {
    const res = await request(app).get("/api/sub/inherits-explicitly");
    expect(res.body.trace).toStrictEqual(["global", "root", "sub", "file"]);
  });

  it("skips every folder's _middleware, not just the nearest, but still runs global and own middleware", async () => {
    const res = await request(app).get("/api/sub/opted-out");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: "sub/opted-out.ts", trace: ["global", "file"] });
  });

  it("keeps the rest of the config of a route that opts out", async () => {
    const res = await request(app)
      .post("/api/sub/opted-out")
      .set("Content-Type", "text/plain")
      .send("x".repeat(2049));
    expect(res.status).toBe(413);
  });

  it("skips them for a method-export route deeper down too", async () => {
    const res = await request(app).get("/api/sub/deeper/opted-out");
    expect(res.body.trace).toStrictEqual(["global"]);
  });
});

describe("createApp's middleware option", () => {
  it("stops start-up when an element is not a function", async () => {
    const broken = [tracer("ok"), "cors" as unknown as Middleware];
    await expect(buildTestApp("mw-order", {}, { middleware: broken })).rejects.toThrow(
      "createApp's `middleware` option[1] is not a middleware function",
    );
  });

  it("is fixed at start-up: changing the array afterwards changes nothing", async () => {
    const global = [tracer("first")];
    const { app } = await buildTestApp("mw-order", {}, { middleware: global });
    global.push(tracer("late"));
    expect((await request(app).get("/api/top")).body.trace).toStrictEqual(["first", "root"]);
  });
});
