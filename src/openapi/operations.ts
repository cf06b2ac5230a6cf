import { STATUS_CODES } from "node:http";
import type { z } from "zod";
import type { RouteProblem } from "../errors";
import type { Endpoint } from "../loader/build-route";
import type { Route } from "../loader/load-routes";
import type { Segment } from "../loader/route-pattern";
import { isAuthenticateMiddleware } from "../middleware/authenticate";
import { wrappedMiddleware } from "../middleware/compose";
import type { HttpMethod } from "../http/methods";
import type { StandardResponse } from "./components";
import { exampleFor, isValidExample } from "./examples";
import type { JsonSchema, SchemaComponents } from "./json-schema";
import type { OpenApiLink, OpenApiMetadata } from "./route-docs";

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface Operation {
  operationId: string;
  summary?: string;
  description: string;
  tags: string[];
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: {
    required: boolean;
    /** `application/json`, or `multipart/form-data` (with its encoding) for a body with files. */
    content: Record<string, MediaType>;
  };
  responses: Record<
    string,
    | { $ref: string }
    | {
        description: string;
        content?: { "application/json": MediaType };
        links?: Record<string, OpenApiLink>;
      }
  >;
  security?: { bearerAuth: [] }[];
}

interface FormMediaType extends MediaType {
  encoding: Record<string, { contentType: string }>;
}

/** A body property that is a file (z.file(): `type: string, format: binary`), alone or in an array. */
function fileContentType(property: unknown): string | undefined {
  if (typeof property !== "object" || property === null) return undefined;
  const schema = property as { format?: string; items?: unknown; anyOf?: unknown[] };
  if (schema.items !== undefined) return fileContentType(schema.items);
  if (schema.format !== "binary") return undefined;
  const types = (schema.anyOf ?? [])
    .map((option) => (option as { contentMediaType?: string }).contentMediaType)
    .filter((type): type is string => typeof type === "string");
  return types.length > 0 ? types.join(", ") : "application/octet-stream";
}

/** The multipart encoding of a body schema with file properties; undefined for a JSON body. */
function multipartEncoding(json: JsonSchema): FormMediaType["encoding"] | undefined {
  const properties = (json as { properties?: Record<string, unknown> }).properties ?? {};
  const encoding: FormMediaType["encoding"] = {};
  for (const [name, property] of Object.entries(properties)) {
    const contentType = fileContentType(property);
    if (contentType) encoding[name] = { contentType };
  }
  return Object.keys(encoding).length > 0 ? encoding : undefined;
}

interface MediaType {
  encoding?: Record<string, { contentType: string }>;
  schema: JsonSchema;
  example?: unknown;
}

/** One method of one path, as planned from the route table. */
export interface PlannedOperation {
  route: Route;
  method: HttpMethod;
  endpoint: Endpoint;
  /** The URL segments of this path (an optional catch-all gives two paths). */
  segments: readonly Segment[];
  operationId: string;
  /** A default export nothing declares the methods of: it receives every method. */
  anyMethod: boolean;
  metadata: OpenApiMetadata;
}

/** Shared while one document is built: its components, which standard ones are used, problems. */
export interface BuildContext {
  components: SchemaComponents;
  used: Set<StandardResponse>;
  problems: RouteProblem[];
}

// OpenAPI ignores these as header parameters: they come from requestBody, responses and security.
const IMPLICIT_HEADERS = new Set(["authorization", "content-type", "accept"]);

/** The endpoint's own chain decides, not the route's: `DELETE` may need a token while `GET` does not. */
function isEndpointProtected(route: Route, endpoint: Endpoint): boolean {
  return [...route.chain, ...endpoint.middleware, ...wrappedMiddleware(endpoint.handler)].some(
    isAuthenticateMiddleware,
  );
}

function objectParts(
  schema: JsonSchema,
): { properties: Record<string, JsonSchema>; required: string[] } | undefined {
  if (schema.type !== "object" || typeof schema.properties !== "object") return undefined;
  return {
    properties: schema.properties as Record<string, JsonSchema>,
    required: (schema.required as string[] | undefined) ?? [],
  };
}

/** The example for a part: the route's own (checked against its schema), else one built from the schema. */
function pickExample(
  op: PlannedOperation,
  ctx: BuildContext,
  part: string,
  zodSchema: z.ZodType,
  json: JsonSchema,
  own: unknown,
): unknown {
  if (own === undefined) return exampleFor(zodSchema, ctx.components.resolve(json), ctx.components);
  if (!isValidExample(zodSchema, own)) {
    ctx.problems.push({
      files: [op.route.file],
      reason: `\`openapi.examples.${part}\` of ${op.method} does not match its zod schema: fix the example or the schema`,
    });
  }
  return own;
}

function buildParameters(op: PlannedOperation, ctx: BuildContext, hint: string): Parameter[] {
  const { schema } = op.endpoint;
  const own = op.metadata.examples?.query;
  const query = schema?.query
    ? ctx.components.resolve(ctx.components.convert(schema.query, "input", `${hint}Query`))
    : undefined;
  const queryParts = query ? objectParts(query) : undefined;
  const queryExample =
    schema?.query && query
      ? (pickExample(op, ctx, "query", schema.query, query, own) as
          Record<string, unknown> | undefined)
      : own;
  const result: Parameter[] = [];
  const pathNames = new Set<string>();
  for (const segment of op.segments) {
    if (segment.kind === "static") continue;
    pathNames.add(segment.name);
    const spans = segment.kind !== "dynamic";
    const fromQuery = spans ? undefined : queryParts?.properties[segment.name];
    const written = segment.kind === "catchAll" ? `[...${segment.name}]` : `[[...${segment.name}]]`;
    const description = spans
      ? `One or more path segments (a catch-all, \`${written}\`): \`a/b\` arrives as \`req.query.${segment.name} = ["a", "b"]\`.`
      : `The \`[${segment.name}]\` segment, in \`req.query.${segment.name}\`.`;
    // A plain string param can always show "example"; a typed one only what its schema accepted.
    const example = queryExample?.[segment.name] ?? (fromQuery ? undefined : "example");
    result.push({
      name: segment.name,
      in: "path",
      required: true,
      description,
      schema: fromQuery ?? { type: "string" },
      ...(example !== undefined ? { example } : {}),
    });
  }
  for (const [name, property] of Object.entries(queryParts?.properties ?? {})) {
    if (pathNames.has(name)) continue;
    const example = queryExample?.[name];
    result.push({
      name,
      in: "query",
      required: queryParts?.required.includes(name) ?? false,
      schema: property,
      ...(example !== undefined ? { example } : {}),
    });
  }
  if (schema?.headers) {
    const headers = ctx.components.resolve(
      ctx.components.convert(schema.headers, "input", `${hint}Headers`),
    );
    const example = exampleFor(schema.headers, headers, ctx.components) as
      Record<string, unknown> | undefined;
    const parts = objectParts(headers);
    for (const [name, property] of Object.entries(parts?.properties ?? {})) {
      if (IMPLICIT_HEADERS.has(name.toLowerCase())) continue;
      const value = example?.[name];
      result.push({
        name,
        in: "header",
        required: parts?.required.includes(name) ?? false,
        schema: property,
        ...(value !== undefined ? { example: value } : {}),
      });
    }
  }
  return result;
}

function buildDescription(op: PlannedOperation, isProtected: boolean): string {
  const { route, method, metadata } = op;
  const lines = [metadata.description, `Route file: \`${route.file}\`.`];
  if (op.anyMethod) {
    lines.push(
      "A Next-style default export: every method reaches this handler, so it is listed for GET, POST, PUT, PATCH and DELETE, " +
        'and may refuse some. Declare the ones it answers with `export const methods = ["GET"]`.',
    );
  }
  const last = route.segments[route.segments.length - 1];
  if (last?.kind === "optionalCatchAll") {
    lines.push(
      `An optional catch-all (\`[[...${last.name}]]\`): the folder's own path and any path below it, documented as two paths.`,
    );
  }
  if (route.endpoints.allow !== undefined) {
    lines.push(
      `Other methods: \`405 Method Not Allowed\` with \`Allow: ${route.endpoints.allow}\`.`,
    );
  }
  if (isProtected)
    lines.push(
      "Needs `Authorization: Bearer <token>` (a token from `API_TOKENS` or `API_TOKENS_FILE`).",
    );
  if (method === "GET" && route.endpoints.allow?.includes("HEAD"))
    lines.push("`HEAD` runs the same handler without the body.");
  if (method === "GET" && route.endpoints.websocket)
    lines.push(
      "**WebSocket endpoint** (`x-websocket`): open it with `Upgrade: websocket` (the server runs with `WEBSOCKETS=on`); " +
        "`101 Switching Protocols` on success.",
    );
  return lines.filter(Boolean).join("\n\n");
}

function buildResponses(
  op: PlannedOperation,
  ctx: BuildContext,
  hint: string,
  isProtected: boolean,
  hasBody: boolean,
): Operation["responses"] {
  const { schema } = op.endpoint;
  const out: Operation["responses"] = {};
  for (const [status, zodSchema] of Object.entries(schema?.responses ?? {})) {
    const description = STATUS_CODES[status] ?? `Status ${status}`;
    if (status === "204" || status === "304") {
      out[status] = { description };
      continue;
    }
    const json = ctx.components.convert(zodSchema, "output", `${hint}${status}Response`);
    const example = pickExample(
      op,
      ctx,
      `responses.${status}`,
      zodSchema,
      json,
      op.metadata.examples?.responses?.[Number(status)],
    );
    out[status] = {
      description,
      content: {
        "application/json": { schema: json, ...(example !== undefined ? { example } : {}) },
      },
    };
  }
  for (const [status, links] of Object.entries(op.metadata.links ?? {})) {
    const response = out[status];
    if (response && !("$ref" in response)) response.links = links;
    else
      ctx.problems.push({
        files: [op.route.file],
        reason: `\`openapi.links.${status}\` of ${op.method}: declare the ${status} response in \`schema.responses\` first`,
      });
  }
  if (Object.keys(out).length === 0) {
    out["2XX"] = {
      description:
        "Success: whatever the handler answers (its responses are not declared in `schema.responses`).",
    };
  }
  if (op.anyMethod)
    out.default = {
      description:
        "Anything else the handler answers: it receives every method, and may refuse this one.",
    };
  if (schema && (schema.query ?? schema.body ?? schema.headers) && !out["400"]) {
    out["400"] = { $ref: "#/components/responses/ValidationFailed" };
    ctx.used.add("ValidationFailed");
  }
  if (isProtected && !out["401"]) {
    out["401"] = { $ref: "#/components/responses/Unauthorized" };
    ctx.used.add("Unauthorized");
  }
  if (op.method === "GET" && op.route.endpoints.websocket) {
    out["101"] = { description: "Switching Protocols: the WebSocket is open." };
    if (op.route.endpoints.websocket === "NextResponse.upgrade") {
      out["426"] = { description: "Upgrade Required: this path only accepts WebSocket upgrades." };
      delete out["2XX"];
    }
  }
  if (hasBody && !out["413"]) {
    out["413"] = { $ref: "#/components/responses/PayloadTooLarge" };
    ctx.used.add("PayloadTooLarge");
  }
  return out;
}

/** The OpenAPI operation for one method of one route. */
export function buildOperation(op: PlannedOperation, ctx: BuildContext): Operation {
  const { endpoint, metadata, route } = op;
  const hint = op.operationId;
  const isProtected = isEndpointProtected(route, endpoint);
  const body = endpoint.schema?.body;
  let requestBody: Operation["requestBody"];
  if (body) {
    const json = ctx.components.convert(body, "input", `${hint}Body`);
    const encoding = multipartEncoding(json);
    const required = !isValidExample(body, undefined);
    if (encoding) {
      // Files come as multipart/form-data (readMultipart, request.formData()).
      requestBody = { required, content: { "multipart/form-data": { schema: json, encoding } } };
    } else {
      const example = pickExample(op, ctx, "body", body, json, metadata.examples?.body);
      requestBody = {
        required,
        content: {
          "application/json": { schema: json, ...(example !== undefined ? { example } : {}) },
        },
      };
    }
  }
  const params = buildParameters(op, ctx, hint);
  return {
    operationId: op.operationId,
    ...(metadata.summary ? { summary: metadata.summary } : {}),
    description: buildDescription(op, isProtected),
    tags: metadata.tags ?? [],
    ...(metadata.deprecated ? { deprecated: true } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: buildResponses(
      op,
      ctx,
      hint,
      isProtected,
      requestBody !== undefined &&
        (route.settings.bodyParser !== false || route.settings.multipart !== undefined),
    ),
    ...(isProtected ? { security: [{ bearerAuth: [] }] } : {}),
    ...(route.endpoints.websocket && op.method === "GET" ? { "x-websocket": true } : {}),
  };
}
