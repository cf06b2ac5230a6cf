import type { NextApiRequest } from "../types";
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

/**
 * Validates a request against a route schema; on success `req.query` and `req.body` hold the
 * parsed (coerced, defaulted) values. Returns every issue of every part, or undefined when valid.
 */
export async function validateRequest(
  schema: RouteSchema,
  req: NextApiRequest,
): Promise<ValidationIssue[] | undefined> {
  const result = await validateParts(schema, {
    headers: req.headers,
    query: req.query,
    body: req.body,
  });
  if (result.issues) return result.issues;
  if (schema.query) req.query = result.query as NextApiRequest["query"];
  if (schema.body) req.body = result.body;
  return undefined;
}
