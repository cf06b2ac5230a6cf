import type { JsonSchema, SchemaComponents } from "./json-schema";

/** The standard responses an operation refers to, added to `components` only when used. */
export type StandardResponse = "Unauthorized" | "ValidationFailed" | "PayloadTooLarge";

const ERROR: JsonSchema = {
  type: "object",
  description:
    "Every error nextpress itself answers: 4xx messages as thrown (`ApiError`), 5xx as `Internal Server Error`.",
  properties: { message: { type: "string" } },
  required: ["message"],
  example: { message: "Unauthorized" },
};

const VALIDATION_ERROR: JsonSchema = {
  type: "object",
  description:
    "A request that fails the route's zod schema: every issue of the headers, query and body.",
  properties: {
    message: { type: "string", const: "Invalid request" },
    issues: {
      type: "array",
      items: {
        type: "object",
        properties: {
          path: {
            type: "array",
            items: { type: ["string", "integer"] },
            description: "The part (`headers`, `query`, `body`), then the path inside it.",
          },
          message: { type: "string" },
          code: { type: "string", description: "zod's issue code, e.g. `invalid_type`." },
        },
        required: ["path", "message", "code"],
      },
    },
  },
  required: ["message", "issues"],
  example: {
    message: "Invalid request",
    issues: [{ path: ["body", "email"], message: "Invalid email address", code: "invalid_format" }],
  },
};

/** Reserves the error schemas' names before the routes' schemas take them; standardComponents() drops the unused. */
export function reserveErrorSchemas(components: SchemaComponents): {
  error: string;
  validation: string;
} {
  return {
    error: components.add("Error", ERROR),
    validation: components.add("ValidationError", VALIDATION_ERROR),
  };
}

/**
 * `components` of the document: the routes' schemas, the error shapes and standard responses
 * that some operation uses, and the Bearer scheme when a route is protected.
 */
export function standardComponents(
  components: SchemaComponents,
  refs: { error: string; validation: string },
  used: ReadonlySet<StandardResponse>,
) {
  const schemas = { ...components.schemas };
  const responses: Record<string, unknown> = {};
  const error = { "application/json": { schema: { $ref: refs.error } } };
  const nameOf = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
  if (used.has("ValidationFailed")) {
    responses.ValidationFailed = {
      description:
        'The request does not match the route\'s zod schema: `issues` lists every problem. (A body that is not valid JSON gets `{"message":"Invalid JSON"}`.)',
      content: { "application/json": { schema: { $ref: refs.validation } } },
    };
  } else delete schemas[nameOf(refs.validation)];
  if (used.has("Unauthorized")) {
    responses.Unauthorized = {
      description: "No valid Bearer token: none, another scheme, or a token not in `API_TOKENS`.",
      headers: {
        "WWW-Authenticate": {
          description: '`Bearer realm="api"`, with `error="invalid_token"` for a wrong token.',
          schema: { type: "string" },
        },
      },
      content: error,
    };
  }
  if (used.has("PayloadTooLarge")) {
    responses.PayloadTooLarge = {
      description:
        "The body is over the route's limit (`BODY_LIMIT`, or its `config.api.bodyParser.sizeLimit`).",
      content: error,
    };
  }
  if (!used.has("Unauthorized") && !used.has("PayloadTooLarge")) delete schemas[nameOf(refs.error)];
  return {
    ...(Object.keys(schemas).length > 0 ? { schemas } : {}),
    ...(Object.keys(responses).length > 0 ? { responses } : {}),
    ...(used.has("Unauthorized")
      ? {
          securitySchemes: {
            bearerAuth: {
              type: "http",
              scheme: "bearer",
              description: "A token from `API_TOKENS` or `API_TOKENS_FILE`.",
            },
          },
        }
      : {}),
  };
}
