import type { Express } from "express";
import { rateLimit } from "express-rate-limit";
import request from "supertest";
import { z } from "zod";
import { defineRoute, type ValidatedRequest } from "../src/define-route";
import type { Middleware, NextApiRequest, NextApiResponse } from "../src/types";
import { buildTestApp } from "./helpers/app";

describe("defineRoute", () => {
  it("returns a plain handler that carries its schema and middleware for the loader", async () => {
    const schema = { body: z.object({ a: z.string() }) };
    const middleware: Middleware[] = [(_req, _res, next) => next()];
    const handler = jest.fn();
    const defined = defineRoute({ schema, middleware, handler });
    expect(defined.schema).toBe(schema);
    expect(defined.middleware).toBe(middleware);
    const req = {} as NextApiRequest;
    const res = {} as NextApiResponse;
    await defined(req, res);
    expect(handler).toHaveBeenCalledWith(req, res);
  });

  it("returns what the handler returns, so an async handler is awaited", async () => {
    const defined = defineRoute({ handler: async () => "done" });
    await expect(defined({} as NextApiRequest, {} as NextApiResponse)).resolves.toBe("done");
  });

  // The type checks below run under `tsc --noEmit`; a broken type makes the test command fail.
  it("types req.query and req.body from the schema (compile-time)", () => {
    const route = defineRoute({
      schema: {
        query: z.object({ page: z.coerce.number().default(1) }),
        body: z.object({ name: z.string(), tags: z.array(z.string()).optional() }),
      },
      handler(req, res) {
        const name: string = req.body.name;
        const page: number = req.query.page;
        const tags: string[] | undefined = req.body.tags;
        // @ts-expect-error req.body.name is a string: req.body is not `any`
        const wrong: number = req.body.name;
        // @ts-expect-error the schema has no `email`
        void req.body.email;
        res.json({ name, page, tags, wrong });
      },
    });
    expect(typeof route).toBe("function");
  });

  it("keeps Next's types for parts without a schema, and for a route without any (compile-time)", () => {
    defineRoute({
      schema: { body: z.object({ n: z.number() }) },
      handler(req, res) {
        const q: string | string[] | undefined = req.query.anything;
        res.json({ q, n: req.body.n });
      },
    });
    const plain = defineRoute({
      middleware: [(req, _res, next) => next(req.method === "GET" ? undefined : new Error("no"))],
      handler(req, res) {
        const q: string | string[] | undefined = req.query.x;
        const body: unknown = req.body;
        res.json({ q, body });
      },
    });
    // An existing Next handler can be wrapped as it is.
    const nextHandler = (req: NextApiRequest, res: NextApiResponse) => res.json({ q: req.query });
    expect(typeof defineRoute({ handler: nextHandler })).toBe("function");
    expect(typeof plain).toBe("function");
  });

  it("types res.json from the documented responses (compile-time)", () => {
    defineRoute({
      schema: {
        responses: {
          200: z.object({ ok: z.literal(true) }),
          404: z.object({ message: z.string() }),
        },
      },
      handler(_req, res) {
        res.status(200).json({ ok: true });
        res.status(404).json({ message: "missing" });
        // @ts-expect-error not one of the documented bodies
        res.json({ ok: "yes" });
      },
    });
    expect(true).toBe(true);
  });

  it("accepts Express-typed middleware from npm as it is (compile-time)", () => {
    const defined = defineRoute({
      middleware: [rateLimit({ limit: 5 })],
      handler: (_req, res) => res.json({}),
    });
    expect(defined.middleware).toHaveLength(1);
  });

  it("ValidatedRequest replaces only query and body (compile-time)", () => {
    type Req = ValidatedRequest<{ body: z.ZodObject<{ a: z.ZodString }> }>;
    const check = (req: Req): [string, string | undefined, string] => [
      req.body.a,
      req.headers.host,
      req.method ?? "",
    ];
    expect(typeof check).toBe("function");
  });
});

describe("defineRoute in a route file", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("schema-defined"));
  });

  it("validates a default export for every method and hands it parsed values", async () => {
    const res = await request(app).get("/api/default?n=21");
    expect(res.body).toStrictEqual({ handler: "default", method: "GET", doubled: 42 });
    expect((await request(app).put("/api/default?n=1")).body).toStrictEqual({
      handler: "default",
      method: "PUT",
      doubled: 2,
    });
    const bad = await request(app).delete("/api/default?n=x");
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toStrictEqual([
      { path: ["query", "n"], message: expect.any(String), code: "invalid_type" },
    ]);
  });

  it("runs its middleware before validation, and the handler after it", async () => {
    const res = await request(app).post("/api/method").send({ amount: "12.5" });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({
      amount: 12.5,
      amountType: "number",
      typeSeenByMiddleware: "string",
    });
    const bad = await request(app).post("/api/method").send({ amount: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string[] }) => i.path)).toStrictEqual([
      ["body", "amount"],
    ]);
  });

  it("works as one method export beside others; unlisted methods are still 405", async () => {
    expect((await request(app).get("/api/method")).body).toStrictEqual({ handler: "GET" });
    const res = await request(app).put("/api/method");
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD, POST, OPTIONS");
  });

  it("wins over the file's schema for its method; the other methods keep the file's", async () => {
    expect((await request(app).get("/api/overrides-file?from=defineRoute")).body).toStrictEqual({
      handler: "GET",
      from: "defineRoute",
    });
    expect((await request(app).get("/api/overrides-file?from=file")).status).toBe(400);
    expect((await request(app).post("/api/overrides-file?from=file")).body).toStrictEqual({
      handler: "POST",
      from: "file",
    });
    expect((await request(app).post("/api/overrides-file?from=defineRoute")).status).toBe(400);
  });

  it("serves the typed fixture, whose types tsc checks", async () => {
    const res = await request(app).post("/api/typed?dryRun=true").send({ name: "Ada", age: "36" });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({ id: 0, name: "Ada" });
  });
});
