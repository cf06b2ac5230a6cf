import type { NextApiRequest } from "../types";
import { isMultipart } from "../web/form-data";
import type { RouteSchema } from "./route-schema";

/** One validation problem, as the 400 response lists it: where, and zod's message. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** What validateParts found: every issue, or the parsed (coerced, defaulted) query and body. */
export interface ValidatedParts {
  issues: ValidationIssue[] | undefined;
  query: unknown;
  body: unknown;
}

/** Validates a request's parts (headers, query, body) against a route schema, all issues at once. */
export async function validateParts(
  schema: RouteSchema,
  parts: { headers: unknown; query: unknown; body: unknown },
): Promise<ValidatedParts> {
  const issues: ValidationIssue[] = [];
  const result: ValidatedParts = { issues: undefined, query: parts.query, body: parts.body };
  const checks = [
    ["headers", schema.headers, parts.headers],
    ["query", schema.query, parts.query],
    ["body", schema.body, parts.body],
  ] as const;
  for (const [part, partSchema, value] of checks) {
    if (!partSchema) continue;
    const parsed = await partSchema.safeParseAsync(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({
          path: [part, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
          message: issue.message,
          code: issue.code,
        });
      }
    } else if (part !== "headers") {
      result[part] = parsed.data;
    }
  }
  result.issues = issues.length > 0 ? issues : undefined;
  return result;
}

/** Form entries as the object a body schema sees: a value per name, an array for a repeated one. */
export function formToObject(entries: Iterable<[string, string | File]>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    const previous = body[name];
    if (previous === undefined) body[name] = value;
    else body[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return body;
}

/** A multipart body the body parser left (`config.multipart`): read now with readMultipart. */
async function readFormBody(req: NextApiRequest): Promise<unknown> {
  // Loaded with the first such body: it brings Node's fetch (undici), about 7 MB and 0.2 s at start-up.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { readMultipart } =
    require("../web/read-multipart") as typeof import("../web/read-multipart");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { entries } = await readMultipart(req);
  return formToObject(
    entries.map(([name, value]): [string, string | File] => [
      name,
      typeof value === "string" ? value : value.file,
    ]),
  );
}

/**
 * Validates a request against a route schema; on success `req.query` and `req.body` hold the
 * parsed (coerced, defaulted) values. Returns every issue of every part, or undefined when valid.
 */
export async function validateRequest(
  schema: RouteSchema,
  req: NextApiRequest,
): Promise<ValidationIssue[] | undefined> {
  const multipart =
    schema.body !== undefined &&
    req.body === undefined &&
    isMultipart(String(req.headers["content-type"] ?? ""));
  const result = await validateParts(schema, {
    headers: req.headers,
    query: req.query,
    body: multipart ? await readFormBody(req) : req.body,
  });
  if (result.issues) return result.issues;
  if (schema.query) req.query = result.query as NextApiRequest["query"];
  if (schema.body) req.body = result.body;
  return undefined;
}
