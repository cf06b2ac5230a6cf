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
    ({ app } = await buildTestApp("mw-order", {}, { middleware: [tracer("global1"), tracer("global2")] }));
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
    expect(res.body.trace).toStrictEqual(["global1", "global2", "root", "a1", "a2", "b", "file1", "file2"]);
  });

  it("runs a method's own middleware for HEAD too, and sends the trace without a body", async () => {
    const res = await request(app).head("/api/a/b/deep");
    expect(res.status).toBe(200);
    expect(res.headers["x-trace"]).toBe("global1, global2, root, a1, a2, b, file1, file2, endpoint");
  });

  it("applies a folder's _middleware to every folder below it, and a single-function middleware export", async () => {
    const res = await request(app).get("/api/a/b/c/leaf");
    expect(res.body).toStrictEqual({ file: "a/b/c/leaf.ts", trace: ["global1", "global2", "root", "a1", "a2", "b", "leaf"] });
  });

  it("does not apply a folder's _middleware to its parent's other routes or to sibling folders", async () => {
    expect((await request(app).get("/api/a/sibling")).body.trace).toStrictEqual(["global1", "global2", "root", "a1", "a2"]);
    expect((await request(app).get("/api/other/x")).body.trace).toStrictEqual(["global1", "global2", "root"]);
    expect((await request(app).get("/api/top")).body.trace).toStrictEqual(["global1", "global2", "root"]);
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
