import type { Express } from "express";
import request from "supertest";
import { buildQuery } from "../../src/next/request";
import { buildTestApp } from "../helpers/app";
import { listen, rawRequest } from "../helpers/raw-http";

let app: Express;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  ({ app } = await buildTestApp("next-api"));
  server = await listen(app);
});
afterAll(() => server.close());

describe("req.query", () => {
  it.each([
    ["repeated keys become arrays, single keys strings", "?a=1&b=2&a=3", { a: ["1", "3"], b: "2" }],
    [
      "bracketed keys stay flat (no qs nesting)",
      "?a[b]=1&c[]=2&c[]=3",
      { "a[b]": "1", "c[]": ["2", "3"] },
    ],
    ["encoded brackets stay flat too", "?c%5Bd%5D=3", { "c[d]": "3" }],
    ["+ becomes a space", "?q=hello+world%21", { q: "hello world!" }],
    ["a key without = is an empty string", "?z", { z: "" }],
    ["everything after the first = is the value", "?f=1=2", { f: "1=2" }],
    ["a lone % is kept", "?p=%&r=100%+sure", { p: "%", r: "100% sure" }],
    ["percent-escapes are decoded as UTF-8", "?e=%C3%A9t%C3%A9", { e: "été" }],
    [
      "an invalid UTF-8 escape becomes U+FFFD",
      "?bad=%FF&cut=%C3",
      { bad: "\uFFFD", cut: "\uFFFD" },
    ],
    ["an empty key is a key", "?=x", { "": "x" }],
    [
      "names inherited from Object.prototype are ordinary keys",
      "?toString=1&constructor=2",
      { toString: "1", constructor: "2" },
    ],
    ["no query string is an empty object", "", {}],
    ["a bare ? is an empty object", "?", {}],
  ])("%s (%s)", async (_name, search, expected) => {
    const res = await request(app).get(`/api/query/echo${search}`);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual(expected);
  });

  it("reads the request target exactly as sent on the request line", async () => {
    const res = await rawRequest({
      port: server.port,
      method: "GET",
      path: "/api/query/echo?p=%&bad=%FF&a[b]=1",
    });
    expect(JSON.parse(res.body.toString())).toStrictEqual({ p: "%", bad: "\uFFFD", "a[b]": "1" });
  });

  it("ignores a #fragment sent on the request line, as new URL() does", async () => {
    const res = await rawRequest({
      port: server.port,
      method: "GET",
      path: "/api/query/info?a=1&b=2#frag&c=3",
    });
    expect(JSON.parse(res.body.toString())).toStrictEqual({
      url: "/api/query/info?a=1&b=2#frag&c=3",
      method: "GET",
      query: { a: "1", b: "2" },
    });
  });

  it("drops __proto__ and pollutes no prototype", async () => {
    const res = await request(app).get(
      "/api/query/inherited?__proto__=x&__proto__=y&__proto__[polluted]=1&a=1",
    );
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      query: { "__proto__[polluted]": "1", a: "1" },
      ownKeys: ["__proto__[polluted]", "a"],
      hasOwnProto: false,
      prototypeIsObject: true,
      polluted: "undefined",
    });
  });

  it("lets a route param win over a same-named query key", async () => {
    const res = await request(app).get("/api/query/post-1?post=override&val=1");
    expect(res.body.query).toStrictEqual({ val: "1", post: "post-1" });
  });

  it("gives a catch-all param as an array that overrides the query key", async () => {
    const res = await request(app).get("/api/query/slug/a?slug=q");
    expect(res.body).toStrictEqual({ slug: ["a"] });
  });

  it("decodes each catch-all segment on its own, so %2F stays inside one element", async () => {
    const res = await request(app).get("/api/query/slug/a%20b/c%2Fd?x=1");
    expect(res.body).toStrictEqual({ slug: ["a b", "c/d"], x: "1" });
  });

  it("leaves req.url as the original request target, query included", async () => {
    const res = await request(app).get("/api/query/info?x=1&x=2");
    expect(res.body).toStrictEqual({
      url: "/api/query/info?x=1&x=2",
      method: "GET",
      query: { x: ["1", "2"] },
    });
  });

  it("leaves req.url untouched on a dynamic route", async () => {
    const res = await request(app).get("/api/query/post-1?x=%20y");
    expect(res.body.url).toBe("/api/query/post-1?x=%20y");
  });

  it("parses the query string of a POST as well", async () => {
    const res = await request(app).post("/api/query/info?title=Nextjs").send({ ignored: true });
    expect(res.body).toStrictEqual({
      url: "/api/query/info?title=Nextjs",
      method: "POST",
      query: { title: "Nextjs" },
    });
  });
});

describe("buildQuery after a next.config rewrite", () => {
  it("reads a catch-all the rewrite joined into the search string back as its array", () => {
    expect(buildQuery("/api/echo?x=1&rest=a%2Fb", undefined, { rest: ["a", "b"] })).toEqual({
      x: "1",
      rest: ["a", "b"],
    });
    expect(buildQuery("/api/echo?path=x", undefined, { path: ["x"] })).toEqual({ path: ["x"] });
  });

  it("keeps the search string's value once it no longer is that catch-all, and route params on top", () => {
    expect(buildQuery("/api/echo?rest=other", undefined, { rest: ["a", "b"] })).toEqual({
      rest: "other",
    });
    expect(buildQuery("/api/files/z?slug=a", { slug: ["z"] }, { slug: ["a"] })).toEqual({
      slug: ["z"],
    });
  });
});

describe("req.cookies", () => {
  it("is an empty object without a Cookie header", async () => {
    const res = await request(app).get("/api/cookies");
    expect(res.body).toStrictEqual({});
  });

  it("is an empty object for an empty Cookie header", async () => {
    const res = await request(app).get("/api/cookies").set("Cookie", "");
    expect(res.body).toStrictEqual({});
  });

  it.each([
    ["decodes percent-escapes", "a=hello%20world; b=%C3%A9t%C3%A9", { a: "hello world", b: "été" }],
    ["removes surrounding quotes", 'q="quoted"; r=""', { q: "quoted", r: "" }],
    ["keeps the first occurrence of a name", "c=first; c=second", { c: "first" }],
    ["keeps = inside a value", "d=x=y", { d: "x=y" }],
    ["accepts a trailing semicolon", "nextjs=cool;", { nextjs: "cool" }],
    ["keeps a value whose escapes do not decode", "e=%E0%A4%A", { e: "%E0%A4%A" }],
    ["trims spaces around names and values", "  f = 1 ;g=2", { f: "1", g: "2" }],
  ])("%s (%s)", async (_name, header, expected) => {
    const res = await request(app).get("/api/cookies").set("Cookie", header);
    expect(res.body).toStrictEqual(expected);
  });
});
