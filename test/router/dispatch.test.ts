import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Express } from "express";
import request from "supertest";
import { buildTestApp } from "../helpers/app";
import { createPreviewKeys } from "../../src/next/preview";
import { isNextApiRequest } from "../../src/next/request";
import { isNextApiResponse } from "../../src/next/response";
import { createDispatcher } from "../../src/router/dispatch";
import { rawRequest } from "./raw-request";

// NEXT-SEMANTICS.md sections A, B and C over HTTP. Every fixture route answers
// { file: "<its own file>", query: req.query }.
let app: Express;
let flat: Express;

beforeAll(async () => {
  app = (await buildTestApp("routing-precedence")).app;
  flat = (await buildTestApp("routing-static")).app;
});

async function served(
  target: string,
  on: Express = app,
): Promise<{ file: unknown; query: unknown }> {
  const res = await request(on).get(target);
  expect([target, res.status]).toEqual([target, 200]);
  return res.body as { file: unknown; query: unknown };
}

describe("A. route files → URLs", () => {
  it.each([
    ["/api/hello", "hello.ts"],
    ["/api", "index.ts"],
    ["/api/users", "users/index.ts"],
    ["/api/x", "x/index.ts"],
  ])("serves %s with %s and an empty query (items 1, 2)", async (url, file) => {
    const on = url === "/api/x" ? flat : app;
    expect(await served(url, on)).toEqual({ file, query: {} });
  });

  it.each(["/api/index", "/api/x/index"])(
    "does not serve %s from an index file (item 2)",
    async (url) => {
      const res = await request(flat).get(url);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: "Not Found" });
    },
  );

  it("sends /api/index and /api/users/index to the dynamic routes that match them (item 2)", async () => {
    expect(await served("/api/index")).toEqual({ file: "[post].ts", query: { post: "index" } });
    expect(await served("/api/users/index")).toEqual({
      file: "users/[...slug].ts",
      query: { slug: ["index"] },
    });
  });

  it("puts a dynamic segment in req.query as a string (item 3)", async () => {
    expect(await served("/api/post-1")).toEqual({ file: "[post].ts", query: { post: "post-1" } });
  });

  it("gives a catch-all an array, even for one segment (item 4)", async () => {
    expect(await served("/api/users/1")).toEqual({
      file: "users/[...slug].ts",
      query: { slug: ["1"] },
    });
    expect(await served("/api/post/a/b/c")).toEqual({
      file: "post/[...slug].ts",
      query: { slug: ["a", "b", "c"] },
    });
  });

  it("never matches a catch-all on its own folder: 404 when nothing else does (item 5)", async () => {
    const res = await request(flat).get("/api/docs");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found" });
    expect(await served("/api/docs/a", flat)).toEqual({
      file: "docs/[...slug].ts",
      query: { slug: ["a"] },
    });
  });

  it("lets another route answer a catch-all's folder (item 5)", async () => {
    expect(await served("/api/v1/post")).toEqual({
      file: "[post]/[comment].ts",
      query: { post: "v1", comment: "post" },
    });
    expect(await served("/api/post")).toEqual({ file: "[post].ts", query: { post: "post" } });
  });

  it("matches an optional catch-all on its folder with the param absent (item 6)", async () => {
    expect(await served("/api/opt")).toEqual({ file: "opt/[[...slug]].ts", query: {} });
    expect(await served("/api/opt/a/b")).toEqual({
      file: "opt/[[...slug]].ts",
      query: { slug: ["a", "b"] },
    });
  });

  it("keeps a same-named query key on an optional catch-all's folder (item 6)", async () => {
    expect(await served("/api/opt?slug=x")).toEqual({
      file: "opt/[[...slug]].ts",
      query: { slug: "x" },
    });
  });

  it("serves users/index.ts beside users/[...slug].ts with an empty query (item 7)", async () => {
    expect(await served("/api/users")).toEqual({ file: "users/index.ts", query: {} });
  });

  it("does not strip .json (item 8)", async () => {
    expect(await served("/api/hello.json")).toEqual({
      file: "[post].ts",
      query: { post: "hello.json" },
    });
  });

  it("serves a file named with a literal $ as a static route (item 9)", async () => {
    expect(await served("/api/$city")).toEqual({ file: "$city.ts", query: {} });
  });

  it("passes a param named with a dash under its own name (item 10)", async () => {
    expect(await served("/api/dash/some-thing")).toEqual({
      file: "dash/[hello-world].ts",
      query: { "hello-world": "some-thing" },
    });
  });
});

describe("B. matching order", () => {
  it.each([
    // item 13: static beats dynamic
    ["/api/post-1/comments", "[post]/comments.ts", { post: "post-1" }],
    ["/api/post-1/other", "[post]/[comment].ts", { post: "post-1", comment: "other" }],
    // item 14: no per-folder backtracking beyond what the sorted list gives
    ["/api/blog/about", "blog/about.ts", {}],
    ["/api/blog/x", "[post]/[comment].ts", { post: "blog", comment: "x" }],
    ["/api/blog", "[post].ts", { post: "blog" }],
    ["/api/blog/543/comment/7", "blog/[post]/comment/[id].ts", { post: "543", id: "7" }],
    // item 15: post/create.ts, post/[pid].ts, post/[...slug].ts side by side
    ["/api/post/create", "post/create.ts", {}],
    ["/api/post/abc", "post/[pid].ts", { pid: "abc" }],
    ["/api/post/a/b/c", "post/[...slug].ts", { slug: ["a", "b", "c"] }],
    ["/api/post/create/x", "post/[...slug].ts", { slug: ["create", "x"] }],
  ])("serves %s with %s", async (url, file, query) => {
    expect(await served(url)).toEqual({ file, query });
  });

  it("ranks static, then [param], then [...slug], then [[...slug]]", async () => {
    expect(await served("/api/hello")).toEqual({ file: "hello.ts", query: {} });
    expect(await served("/api/hellos")).toEqual({ file: "[post].ts", query: { post: "hellos" } });
    expect(await served("/api/post/x")).toEqual({ file: "post/[pid].ts", query: { pid: "x" } });
    expect(await served("/api/post/x/y")).toEqual({
      file: "post/[...slug].ts",
      query: { slug: ["x", "y"] },
    });
  });

  it("is case-sensitive: /api/Hello falls to [post] (item 16)", async () => {
    expect(await served("/api/Hello")).toEqual({ file: "[post].ts", query: { post: "Hello" } });
  });

  it.each([
    ["/api/Hello", "routing-static"],
    ["/API/hello", "routing-precedence"],
    ["/Api/hello", "routing-precedence"],
    ["/API/hello", "routing-static"],
  ])("answers %s with 404 when no route matches its case, in %s (item 16)", async (url, tree) => {
    const res = await request(tree === "routing-static" ? flat : app).get(url);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found" });
  });

  it.each(["get", "post", "put", "patch", "delete", "options"] as const)(
    "answers %s on an unknown path with 404 JSON {message: Not Found} (item 17)",
    async (method) => {
      const res = await request(app)[method]("/api/not/unexisting/page/really");
      expect(res.status).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({ message: "Not Found" });
    },
  );

  it("answers 404 where only a deeper dynamic route exists (item 17)", async () => {
    const res = await request(app).get("/api/blog/543/comment");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found" });
  });

  it("leaves paths outside /api to the rest of the app", async () => {
    const res = await request(app).get("/apiary");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found" });
  });
});

describe("C. URL normalisation before routing", () => {
  it.each([
    ["/api/users/", "/api/users"],
    ["/api/", "/api"],
    ["/api/users/1/?a=1", "/api/users/1?a=1"],
    ["/api/hello/?x=1&x=2", "/api/hello?x=1&x=2"],
    ["/api//hello?x=1", "/api/hello?x=1"],
    ["/api\\hello", "/api/hello"],
    ["/api/users//1", "/api/users/1"],
    ["//api/hello", "/api/hello"],
  ])(
    "redirects %s with 308 to %s, Refresh and the destination as body (items 18, 19)",
    async (target, location) => {
      const res = await rawRequest(app, target);
      expect(res.status).toBe(308);
      expect(res.headers.location).toBe(location);
      expect(res.headers.refresh).toBe(`0;url=${location}`);
      expect(res.body).toBe(location);
    },
  );

  it("redirects a trailing slash for every method, so a POST is repeated at the clean URL (item 18)", async () => {
    const res = await rawRequest(app, "/api/users/", "POST");
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("/api/users");
  });

  it.each(["/api/%", "/api/users/%E0%A4%A", "/api/post/%zz", "/api/%C3"])(
    "answers malformed encoding %s with 400 JSON {message: Bad Request} (item 20)",
    async (url) => {
      const res = await request(app).get(url);
      expect(res.status).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({ message: "Bad Request" });
    },
  );

  it.each<[string, string, Record<string, unknown>]>([
    ["/api/users/a%2Fb/c", "users/[...slug].ts", { slug: ["a/b", "c"] }],
    ["/api/users/a+b", "users/[...slug].ts", { slug: ["a+b"] }],
    ["/api/users/%20x/caf%C3%A9", "users/[...slug].ts", { slug: [" x", "café"] }],
    ["/api/post/a%2Fb", "post/[pid].ts", { pid: "a/b" }],
    ["/api/post/%25", "post/[pid].ts", { pid: "%" }],
    ["/api/post/:42", "post/[pid].ts", { pid: ":42" }],
    ["/api/v1/post/:42", "v1/post/[...slug].ts", { slug: [":42"] }],
  ])("decodes %s per segment (items 4, 22)", async (url, file, query) => {
    expect(await served(url)).toEqual({ file, query });
  });

  it("routes on the decoded segment: an encoded static name reaches its file", async () => {
    expect(await served("/api/hell%6F")).toEqual({ file: "hello.ts", query: {} });
    expect(await served("/api/post/cre%61te")).toEqual({ file: "post/create.ts", query: {} });
  });
});

describe("D. route params and the query string", () => {
  it("lets a route param win over a same-named query key (item 23)", async () => {
    expect(await served("/api/post-1?post=override&val=1")).toEqual({
      file: "[post].ts",
      query: { val: "1", post: "post-1" },
    });
  });

  it("lets a catch-all win over a same-named query key (item 23)", async () => {
    expect(await served("/api/users/a?slug=q")).toEqual({
      file: "users/[...slug].ts",
      query: { slug: ["a"] },
    });
    expect(await served("/api/opt/a?slug=q")).toEqual({
      file: "opt/[[...slug]].ts",
      query: { slug: ["a"] },
    });
  });

  it("keeps query keys beside the params", async () => {
    expect(await served("/api/post/abc?x=1&x=2")).toEqual({
      file: "post/[pid].ts",
      query: { pid: "abc", x: ["1", "2"] },
    });
  });
});

describe("the request type at the dispatcher", () => {
  it("passes a request that skipped createApp's handler on as an error, never to a route", async () => {
    const { routes } = await buildTestApp("routing-static");
    const dispatch = createDispatcher(routes, { previewKeys: createPreviewKeys(undefined, true) });
    const req = new IncomingMessage(new Socket());
    req.method = "GET";
    req.url = "/api/hello";
    const res = new ServerResponse(req);
    const next = jest.fn();
    dispatch(req, res, next);
    expect(next).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/createApp's request handler/) }),
    );
    expect(res.headersSent).toBe(false);
  });

  it("knows createApp's requests and responses as Next's, and node's own as not", async () => {
    const { app } = await buildTestApp("routing-static");
    const plain = new IncomingMessage(new Socket());
    const req = Object.setPrototypeOf(new IncomingMessage(new Socket()), app.request);
    expect([isNextApiRequest(req), isNextApiRequest(plain)]).toEqual([true, false]);
    const res = Object.setPrototypeOf(new ServerResponse(plain), app.response);
    expect([isNextApiResponse(res), isNextApiResponse(new ServerResponse(plain))]).toEqual([
      true,
      false,
    ]);
  });
});
