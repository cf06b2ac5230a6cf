import type { HttpMethod } from "../http/methods";
import type { DescribedOperation, JsonSchema, OpenApiDocument } from "../openapi";

/** An MCP tool made from one route operation, with what calling it needs. */
export interface RouteTool {
  name: string;
  description: string;
  inputSchema: JsonSchema & { type: "object" };
  annotations: {
    title?: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  method: HttpMethod;
  /** The OpenAPI path, `{name}` for each parameter. */
  path: string;
  /** The header parameters the route's schema declares, lower-case: the only headers a call may set. */
  headers: ReadonlySet<string>;
}

const COMPONENT_REF = "#/components/schemas/";
const READ_ONLY = new Set<HttpMethod>(["GET", "HEAD", "OPTIONS"]);
const IDEMPOTENT = new Set<HttpMethod>(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** A tool's input schema must stand alone: component `$ref`s point into its own `$defs`. */
function standAlone(schema: JsonSchema, document: OpenApiDocument): JsonSchema {
  const components = document.components.schemas ?? {};
  const defs: Record<string, JsonSchema> = {};
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== "object" || value === null) return value;
    const out: JsonSchema = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string" && item.startsWith(COMPONENT_REF)) {
        const name = item.slice(COMPONENT_REF.length);
        if (!(name in defs) && components[name]) {
          defs[name] = {};
          defs[name] = rewrite(components[name]) as JsonSchema;
        }
        out.$ref = `#/$defs/${name}`;
      } else out[key] = rewrite(item);
    }
    return out;
  };
  const root = rewrite(schema) as JsonSchema;
  return Object.keys(defs).length > 0 ? { ...root, $defs: defs } : root;
}

function inputSchemaOf(
  op: DescribedOperation,
  document: OpenApiDocument,
): RouteTool["inputSchema"] {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const parameters = op.operation.parameters ?? [];
  const group = (where: "path" | "query" | "header", name: string) => {
    const own = parameters.filter((p) => p.in === where);
    if (own.length === 0) return;
    const fields: Record<string, JsonSchema> = {};
    for (const p of own) {
      const segment = op.segments.find((s) => s.kind !== "static" && s.name === p.name);
      const spans = segment?.kind === "catchAll" || segment?.kind === "optionalCatchAll";
      fields[p.name] = spans
        ? { type: "array", items: { type: "string" }, minItems: 1, description: p.description }
        : { ...p.schema, ...(p.description ? { description: p.description } : {}) };
    }
    const needed = own.filter((p) => p.required).map((p) => p.name);
    properties[name] = { type: "object", properties: fields, required: needed };
    if (needed.length > 0) required.push(name);
  };
  group("path", "params");
  group("query", "query");
  group("header", "headers");
  const body = op.operation.requestBody;
  if (body) {
    properties.body = body.content["application/json"]?.schema ?? {};
    if (body.required) required.push("body");
  }
  return standAlone({ type: "object", properties, required }, document) as RouteTool["inputSchema"];
}

/**
 * One MCP tool per operation of the document, named by its operationId: the routes that opt out
 * (`export const mcp = false`) left out, and only those in `allow` when it is given (MCP_TOOLS).
 *
 * @example
 * const tools = toRouteTools(document, operations, ["listUsers", "getUser"]);
 */
/**
 * A tool's arguments are JSON: an operation whose body is only multipart (a file upload) cannot be
 * called as a tool, so it is not offered as one.
 */
export function takesJsonArguments(op: DescribedOperation): boolean {
  const body = op.operation.requestBody;
  return body === undefined || body.content["application/json"] !== undefined;
}

export function toRouteTools(
  document: OpenApiDocument,
  operations: readonly DescribedOperation[],
  allow: readonly string[] | undefined,
): RouteTool[] {
  return operations
    .filter((op) => op.route.module.docs?.mcp !== false)
    .filter(takesJsonArguments)
    .filter((op) => !allow || allow.includes(op.operationId))
    .map((op) => {
      const { operation, method } = op;
      const readOnly = READ_ONLY.has(method);
      return {
        name: op.operationId,
        description: [operation.summary, `\`${method} ${op.path}\``, operation.description]
          .filter(Boolean)
          .join("\n\n"),
        inputSchema: inputSchemaOf(op, document),
        annotations: {
          ...(operation.summary ? { title: operation.summary } : {}),
          readOnlyHint: readOnly,
          destructiveHint: method === "DELETE" || method === "PUT" || method === "PATCH",
          idempotentHint: IDEMPOTENT.has(method),
          openWorldHint: false,
        },
        method,
        path: op.path,
        headers: new Set(
          (operation.parameters ?? [])
            .filter((p) => p.in === "header")
            .map((p) => p.name.toLowerCase()),
        ),
      };
    });
}
