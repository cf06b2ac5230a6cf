import type { Express } from "express";
import request from "supertest";
import { z } from "zod";
import type { NextApiRequest } from "../../src/types";
import { validateRequest } from "../../src/validation/validate-request";
import { buildTestApp } from "../helpers/app";

type Issue = { path: (string | number)[]; message: string; code: string };
const issuePaths = (body: { issues: Issue[] }): string[] =>
  body.issues.map((i) => i.path.join("."));

describe("validateRequest", () => {
  const fakeRequest = (parts: Partial<Pick<NextApiRequest, "query" | "body" | "headers">>) =>
    ({ query: {}, body: undefined, headers: {}, ...parts }) as NextApiRequest;

  it("returns undefined and replaces query and body with the parsed values when everything is valid", async () => {
    const req = fakeRequest({ query: { n: "3" }, body: { name: "  Ada " } });
    const issues = await validateRequest(
      {
        query: z.object({ n: z.coerce.number() }),
        body: z.object({ name: z.string().trim(), role: z.string().default("user") }),
      },
      req,
    );
    expect(issues).toBeUndefined();
    expect(req.query).toStrictEqual({ n: 3 });
    expect(req.body).toStrictEqual({ name: "Ada", role: "user" });
  });

  it("leaves the headers as they came, even when validated", async () => {
    const headers = { "x-n": "1", other: "kept" };
    const req = fakeRequest({ headers });
    expect(
      await validateRequest({ headers: z.object({ "x-n": z.coerce.number() }) }, req),
    ).toBeUndefined();
    expect(req.headers).toBe(headers);
  });

  it("returns every issue of every part, each with its part as the first path element", async () => {
    const req = fakeRequest({ query: { n: "x" }, body: { a: 1, b: 2 }, headers: {} });
    const issues = await validateRequest(
      {
        headers: z.object({ "x-key": z.string() }),
        query: z.object({ n: z.coerce.number() }),
        body: z.object({ a: z.string(), b: z.string() }),
      },
      req,
    );
    expect(issues?.map((i) => i.path)).toStrictEqual([
      ["headers", "x-key"],
      ["query", "n"],
      ["body", "a"],
      ["body", "b"],
    ]);
    for (const issue of issues ?? []) {
      expect(Object.keys(issue).sort()).toStrictEqual(["code", "message", "path"]);
      expect(issue.message).not.toBe("");
    }
  });

  it("changes neither part when another part fails", async () => {
    const query = { n: "1" };
    const body = { bad: true };
    const req = fakeRequest({ query, body });
    await validateRequest(
      { query: z.object({ n: z.coerce.number() }), body: z.object({ good: z.string() }) },
      req,
    );
    expect(req.body).toBe(body);
  });

  it("runs async refinements", async () => {
    const taken = z.string().refine(async (name) => name !== "taken", "name is taken");
    const issues = await validateRequest(
      { body: z.object({ name: taken }) },
      fakeRequest({ body: { name: "taken" } }),
    );
    expect(issues).toStrictEqual([
      { path: ["body", "name"], message: "name is taken", code: "custom" },
    ]);
  });
});

describe("validation over HTTP: each part", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("schema-parts"));
  });

  it("answers a bad query with 400, every issue listed, and never calls the handler", async () => {
    const res = await request(app).get("/api/query?page=0");
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toStrictEqual({
      message: "Invalid request",
      issues: [
        { path: ["query", "page"], message: expect.any(String), code: "too_small" },
        { path: ["query", "q"], message: expect.any(String), code: "invalid_type" },
      ],
    });
    const ok = await request(app).get("/api/query?page=2&q=ok");
    expect(ok.status).toBe(200);
    expect(ok.body).toStrictEqual({ file: "query.ts", runs: 1, query: { page: 2, q: "ok" } });
  });

  it("answers a bad body with 400, every issue listed, and never calls the handler", async () => {
    const res = await request(app).post("/api/body").send({ name: "", email: "nope", age: 1.5 });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Invalid request");
    expect(res.body.issues).toStrictEqual([
      { path: ["body", "name"], message: expect.any(String), code: "too_small" },
      { path: ["body", "email"], message: expect.stringMatching(/email/i), code: "invalid_format" },
      { path: ["body", "age"], message: expect.any(String), code: "invalid_type" },
    ]);
    const ok = await request(app).post("/api/body").send({ name: "Ada", email: "ada@example.com" });
    expect(ok.body).toStrictEqual({
      file: "body.ts",
      runs: 1,
      body: { name: "Ada", email: "ada@example.com" },
    });
  });

  it("answers a body that is not an object at all with one issue at ['body']", async () => {
    const res = await request(app)
      .post("/api/body")
      .set("Content-Type", "text/plain")
      .send("just text");
    expect(res.status).toBe(400);
    expect(res.body.issues).toStrictEqual([
      { path: ["body"], message: expect.any(String), code: "invalid_type" },
    ]);
  });

  it("answers bad headers with 400 and lets good ones through, whatever their case on the wire", async () => {
    const missing = await request(app).get("/api/headers");
    expect(missing.status).toBe(400);
    expect(missing.body.issues).toStrictEqual([
      { path: ["headers", "x-api-version"], message: expect.any(String), code: "invalid_value" },
    ]);
    expect((await request(app).get("/api/headers").set("X-Api-Version", "3")).status).toBe(400);
    const ok = await request(app).get("/api/headers").set("X-API-Version", "2");
    expect(ok.body).toStrictEqual({ file: "headers.ts", runs: 1, version: "2" });
  });

  it("lists the issues of every part together", async () => {
    const res = await request(app)
      .post("/api/all-parts?limit=500")
      .set("X-Tenant", "Not Valid")
      .send({ tags: ["a", 1] });
    expect(res.status).toBe(400);
    expect(issuePaths(res.body).sort()).toStrictEqual([
      "body.tags.1",
      "body.title",
      "headers.x-tenant",
      "query.limit",
    ]);
    const ok = await request(app)
      .post("/api/all-parts?limit=5")
      .set("X-Tenant", "acme")
      .send({ title: "t", tags: [] });
    expect(ok.body).toStrictEqual({
      file: "all-parts.ts",
      runs: 1,
      query: { limit: 5 },
      body: { title: "t", tags: [] },
    });
  });

  it("runs after the middleware chain: a refusal wins over a bad body", async () => {
    const res = await request(app).post("/api/after-middleware").send({ ok: false });
    expect(res.status).toBe(401);
    expect(res.body).toStrictEqual({ message: "No pass" });
  });

  it("validates what the middleware left in the request", async () => {
    const res = await request(app)
      .post("/api/after-middleware")
      .set("X-Pass", "yes")
      .send({ ok: true });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      file: "after-middleware.ts",
      query: { page: 7 },
      body: { ok: true },
    });
    const bad = await request(app)
      .post("/api/after-middleware?page=x")
      .set("X-Pass", "yes")
      .send({ ok: true });
    expect(issuePaths(bad.body)).toStrictEqual(["query.page"]);
  });

  it("does not validate methods a method-export route answers itself (405)", async () => {
    const res = await request(app).get("/api/body");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST, OPTIONS");
  });
});

describe("validation over HTTP: parsed values reach the handler", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("schema-coercion"));
  });

  it("coerces query strings to numbers and fills in defaults", async () => {
    const res = await request(app).post("/api/coerce?page=3").send({ name: "  ADA " });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      query: { page: 3, size: 20, sort: "asc" },
      body: { name: "ada", active: true, count: 0 },
      types: { page: "number", size: "number", count: "number" },
    });
  });

  it("keeps given values over defaults, and applies transforms", async () => {
    const res = await request(app)
      .post("/api/coerce?page=1&size=5&sort=desc&tag=x&tag=y")
      .send({ name: "b", active: false, count: "4" });
    expect(res.body.query).toStrictEqual({ page: 1, size: 5, sort: "desc", tag: ["x", "y"] });
    expect(res.body.body).toStrictEqual({ name: "b", active: false, count: 4 });
    const one = await request(app).post("/api/coerce?page=1&tag=solo").send({ name: "b" });
    expect(one.body.query.tag).toStrictEqual(["solo"]);
  });

  it("refuses what cannot be coerced", async () => {
    const res = await request(app).post("/api/coerce?page=abc&sort=sideways").send({ name: "b" });
    expect(res.status).toBe(400);
    expect(issuePaths(res.body)).toStrictEqual(["query.page", "query.sort"]);
  });

  it("drops keys the schema does not list", async () => {
    const res = await request(app).post("/api/strip?keep=a&extra=b").send({ keep: 1, extra: 2 });
    expect(res.body).toStrictEqual({ query: { keep: "a" }, body: { keep: 1 } });
  });

  it("coerces route params, which arrive in req.query", async () => {
    const res = await request(app).get("/api/items/42?verbose=true");
    expect(res.body).toStrictEqual({
      query: { id: 42, verbose: true },
      idType: "number",
      verboseType: "boolean",
    });
    const bad = await request(app).get("/api/items/-3");
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toStrictEqual(["query.id"]);
  });
});

describe("validation over HTTP: one schema per method", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("schema-per-method"));
  });

  it("validates each method with its own schema", async () => {
    expect(issuePaths((await request(app).get("/api/items?page=0")).body)).toStrictEqual([
      "query.page",
    ]);
    expect(issuePaths((await request(app).post("/api/items?page=0").send({})).body)).toStrictEqual([
      "body.name",
    ]);
    const get = await request(app).get("/api/items?page=2");
    expect(get.body).toMatchObject({ handler: "GET", query: { page: 2 } });
    const post = await request(app).post("/api/items").send({ name: "n", extra: 1 });
    expect(post.body).toMatchObject({ handler: "POST", body: { name: "n" } });
  });

  it("validates HEAD with GET's schema", async () => {
    expect((await request(app).head("/api/items?page=0")).status).toBe(400);
    expect((await request(app).head("/api/items?page=1")).status).toBe(200);
  });

  it("does not validate a method without a schema", async () => {
    const res = await request(app).delete("/api/items?page=0");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ handler: "DELETE", query: { page: "0" } });
  });

  it("applies a method's schema to the default export when it serves that method", async () => {
    const bad = await request(app).put("/api/default-with-method-schema").send({ version: "1" });
    expect(issuePaths(bad.body)).toStrictEqual(["body.version"]);
    expect(
      (await request(app).put("/api/default-with-method-schema").send({ version: 1 })).status,
    ).toBe(200);
    expect(
      (await request(app).post("/api/default-with-method-schema").send({ version: "1" })).body,
    ).toStrictEqual({
      handler: "default",
      method: "POST",
      body: { version: "1" },
    });
  });

  it("applies a common schema to every exported method, but not to the automatic answers", async () => {
    expect((await request(app).get("/api/common")).status).toBe(400);
    expect((await request(app).patch("/api/common")).status).toBe(400);
    expect((await request(app).patch("/api/common").set("X-Tenant", "t")).body).toStrictEqual({
      handler: "PATCH",
    });
    expect((await request(app).delete("/api/common")).status).toBe(405);
    expect((await request(app).options("/api/common")).status).toBe(204);
  });
});
