import { z } from "zod";
import { InvalidRouteError, RouteLoadError } from "../../src/errors";
import { loadRoutes } from "../../src/loader/load-routes";
import { checkRouteSchema, isZodSchema, readFileSchema } from "../../src/validation/route-schema";
import { fixture } from "../helpers/app";

const joiLike = {
  type: "object",
  $_root: {},
  _flags: {},
  validate: () => ({ value: {} }),
  validateAsync: async () => ({}),
};

describe("isZodSchema", () => {
  it.each([
    ["z.object", z.object({ a: z.string() })],
    ["z.string", z.string()],
    ["a coerced number with a default", z.coerce.number().default(1)],
    ["a transform", z.string().transform((s) => s.length)],
  ])("accepts %s", (_name, schema) => expect(isZodSchema(schema)).toBe(true));

  it.each([
    ["a plain object (JSON Schema)", { type: "object", properties: {} }],
    ["a Joi-like object", joiLike],
    ["a function", () => true],
    ["null", null],
    ["a string", "z.string()"],
    ["an object with _def but no parser", { _def: {} }],
  ])("refuses %s", (_name, value) => expect(isZodSchema(value)).toBe(false));
});

describe("checkRouteSchema", () => {
  it("returns a schema of query, body, headers and responses as it is", () => {
    const schema = {
      query: z.object({}),
      body: z.object({}),
      headers: z.object({}),
      responses: { 200: z.object({}), 404: z.object({}) },
    };
    expect(checkRouteSchema(schema, "schema")).toBe(schema);
  });

  it("accepts an empty schema and parts left undefined", () => {
    expect(checkRouteSchema({}, "schema")).toStrictEqual({});
    expect(checkRouteSchema({ body: undefined }, "schema")).toStrictEqual({ body: undefined });
  });

  it.each<[string, unknown, string]>([
    [
      "not an object",
      "body",
      "invalid `schema`: expected an object { query, body, headers, responses }",
    ],
    ["null", null, "invalid `schema`: expected an object { query, body, headers, responses }"],
    [
      "a plain object as body",
      { body: { type: "object" } },
      "invalid `schema.body`: is not a zod schema (z.object({ … }))",
    ],
    [
      "a Joi-like query",
      { query: joiLike },
      "invalid `schema.query`: is not a zod schema (z.object({ … }))",
    ],
    [
      "headers as null",
      { headers: null },
      "invalid `schema.headers`: is not a zod schema (z.object({ … }))",
    ],
    [
      "an unknown key",
      { params: z.object({}) },
      'invalid `schema`: unknown key "params": use query, body, headers or responses (or one object per HTTP method)',
    ],
    [
      "responses not an object",
      { responses: "200" },
      "invalid `schema.responses`: expected { <status>: zodSchema }",
    ],
    [
      "responses as null",
      { responses: null },
      "invalid `schema.responses`: expected { <status>: zodSchema }",
    ],
    [
      "a response under a word",
      { responses: { ok: z.object({}) } },
      'invalid `schema.responses`: "ok" is not an HTTP status code',
    ],
    [
      "a response status out of range",
      { responses: { 600: z.object({}) } },
      'invalid `schema.responses`: "600" is not an HTTP status code',
    ],
    [
      "a response that is not zod",
      { responses: { 200: { type: "object" } } },
      "invalid `schema.responses.200`: is not a zod schema",
    ],
  ])("refuses %s", (_name, value, message) => {
    expect(() => checkRouteSchema(value, "schema")).toThrow(InvalidRouteError);
    expect(() => checkRouteSchema(value, "schema")).toThrow(message);
  });

  it("names where the schema came from", () => {
    expect(() => checkRouteSchema({ body: {} }, "POST.schema")).toThrow(
      "invalid `POST.schema.body`",
    );
  });
});

describe("readFileSchema", () => {
  it("reads no schema as nothing to validate", () => {
    expect(readFileSchema(undefined)).toStrictEqual({ perMethod: {} });
  });

  it("reads { query, body, … } as one schema for every method", () => {
    const schema = { body: z.object({}) };
    expect(readFileSchema(schema)).toStrictEqual({ common: schema, perMethod: {} });
  });

  it("reads { GET: …, POST: … } as one schema per method", () => {
    const GET = { query: z.object({}) };
    const POST = { body: z.object({}) };
    expect(readFileSchema({ GET, POST })).toStrictEqual({ perMethod: { GET, POST } });
  });

  it.each<[string, unknown, RegExp]>([
    [
      "method keys mixed with part keys",
      { GET: { query: z.object({}) }, body: z.object({}) },
      /mixes HTTP methods with query\/body\/headers/,
    ],
    [
      "a method whose value is a zod schema",
      { POST: z.object({}) },
      /invalid `schema\.POST`: unknown key/,
    ],
    [
      "a method whose part is not zod",
      { POST: { body: { type: "object" } } },
      /invalid `schema\.POST\.body`: is not a zod schema/,
    ],
    ["a zod schema where { body } was meant", z.object({ name: z.string() }), /invalid `schema`/],
    ["a string", "z.object()", /invalid `schema`: expected an object/],
    ["null", null, /invalid `schema`: expected an object/],
    ["a lower-case method", { get: { query: z.object({}) } }, /unknown key "get"/],
  ])("refuses %s", (_name, value, message) => {
    expect(() => readFileSchema(value)).toThrow(message);
  });
});

describe("start-up stops for a bad schema, naming each file", () => {
  let error: RouteLoadError;
  beforeAll(async () => {
    const result: unknown = await loadRoutes(fixture("schema-bad"), { bodyLimit: "1mb" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(result instanceof RouteLoadError))
      throw new Error("expected schema-bad to fail with a RouteLoadError");
    error = result;
  });

  it.each([
    ["plain-object.ts", "invalid `schema.body`: is not a zod schema (z.object({ … }))"],
    ["joi-like.ts", "invalid `schema.query`: is not a zod schema (z.object({ … }))"],
    ["zod-at-top.ts", expect.stringMatching(/^invalid `schema`/)],
    [
      "unknown-key.ts",
      'invalid `schema`: unknown key "params": use query, body, headers or responses (or one object per HTTP method)',
    ],
    [
      "mixed-keys.ts",
      "invalid `schema`: mixes HTTP methods with query/body/headers: use one schema for all, or one per method",
    ],
    ["put-without-handler.ts", "`schema.PUT` has no PUT handler: export one, or remove it"],
    ["method-not-object.ts", expect.stringMatching(/^invalid `schema\.POST`: unknown key/)],
    ["bad-status.ts", 'invalid `schema.responses`: "ok" is not an HTTP status code'],
    ["response-not-zod.ts", "invalid `schema.responses.200`: is not a zod schema"],
    ["not-an-object.ts", "invalid `schema`: expected an object"],
    ["defined-not-zod.ts", "invalid `POST.schema.body`: is not a zod schema (z.object({ … }))"],
  ])("%s", (file, reason) => {
    expect(error.problems).toContainEqual({ files: [file], reason });
    expect(error.message).toContain(`  - ${file}: `);
  });

  it("reports them all at once, and not the good file", () => {
    expect(error.problems).toHaveLength(11);
    expect(error.message).not.toContain("fine.ts");
  });
});
