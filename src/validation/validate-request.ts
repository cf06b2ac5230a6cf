import type { NextApiRequest } from "../types";
import type { RouteSchema } from "./route-schema";

/** One validation problem, as the 400 response lists it: where, and zod's message. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/**
 * Validates a request against a route schema; on success `req.query` and `req.body` hold the
 * parsed (coerced, defaulted) values. Returns every issue of every part, or undefined when valid.
 */
export async function validateRequest(schema: RouteSchema, req: NextApiRequest): Promise<ValidationIssue[] | undefined> {
  const issues: ValidationIssue[] = [];
  const parts = [
    ["headers", schema.headers, req.headers],
    ["query", schema.query, req.query],
    ["body", schema.body, req.body],
  ] as const;
  for (const [part, partSchema, value] of parts) {
    if (!partSchema) continue;
    const result = await partSchema.safeParseAsync(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        issues.push({ path: [part, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))], message: issue.message, code: issue.code });
      }
    } else if (part === "query") {
      req.query = result.data as NextApiRequest["query"];
    } else if (part === "body") {
      req.body = result.data;
    }
  }
  return issues.length > 0 ? issues : undefined;
}
