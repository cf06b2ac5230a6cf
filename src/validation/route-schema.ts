import type { z } from "zod";
import { InvalidRouteError } from "../errors";
import { isHttpMethod, type HttpMethod } from "../http/methods";

const REQUEST_PARTS = new Set(["query", "body", "headers"]);

/** `export const schema` of a route or endpoint: zod schemas for what comes in and goes out. */
export interface RouteSchema {
  query?: z.ZodType;
  body?: z.ZodType;
  headers?: z.ZodType;
  /** Response bodies per status, for documentation (OpenAPI) and optional checks in development. */
  responses?: Record<number, z.ZodType>;
}

/** zod 4 (`_zod`) or zod 3 (`_def`), with the parse method the validator calls. */
export function isZodSchema(value: unknown): value is z.ZodType {
  if (typeof value !== "object" || value === null || !("safeParseAsync" in value)) return false;
  const versioned =
    ("_zod" in value && value._zod !== undefined) || ("_def" in value && value._def !== undefined);
  return versioned && typeof value.safeParseAsync === "function";
}

function fail(where: string, message: string): never {
  throw new InvalidRouteError(`invalid \`${where}\`: ${message}`);
}

/** Checks one `{ query, body, headers, responses }` object; `where` names it in the message. */
export function checkRouteSchema(value: unknown, where: string): RouteSchema {
  if (typeof value !== "object" || value === null)
    fail(where, "expected an object { query, body, headers, responses }");
  for (const [key, part] of Object.entries(value)) {
    if (key === "responses") {
      if (typeof part !== "object" || part === null)
        fail(`${where}.responses`, "expected { <status>: zodSchema }");
      for (const [status, response] of Object.entries(part)) {
        if (!/^[1-5]\d\d$/.test(status))
          fail(`${where}.responses`, `"${status}" is not an HTTP status code`);
        if (!isZodSchema(response)) fail(`${where}.responses.${status}`, "is not a zod schema");
      }
    } else if (REQUEST_PARTS.has(key)) {
      if (part !== undefined && !isZodSchema(part))
        fail(`${where}.${key}`, "is not a zod schema (z.object({ … }))");
    } else {
      fail(
        where,
        `unknown key "${key}": use query, body, headers or responses (or one object per HTTP method)`,
      );
    }
  }
  return value as RouteSchema;
}

/**
 * A file's `export const schema`: one schema for every method, or one per method
 * (`{ GET: { query }, POST: { body } }`) when the file uses method exports.
 */
export function readFileSchema(value: unknown): {
  common?: RouteSchema;
  perMethod: Partial<Record<HttpMethod, RouteSchema>>;
} {
  if (value === undefined) return { perMethod: {} };
  if (typeof value !== "object" || value === null) fail("schema", "expected an object");
  const keys = Object.keys(value);
  const methodKeys = keys.filter(isHttpMethod);
  if (methodKeys.length === 0) return { common: checkRouteSchema(value, "schema"), perMethod: {} };
  if (methodKeys.length !== keys.length) {
    fail(
      "schema",
      "mixes HTTP methods with query/body/headers: use one schema for all, or one per method",
    );
  }
  const perMethod: Partial<Record<HttpMethod, RouteSchema>> = {};
  for (const method of methodKeys) {
    perMethod[method] = checkRouteSchema(Reflect.get(value, method), `schema.${method}`);
  }
  return { perMethod };
}
