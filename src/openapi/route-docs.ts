import { InvalidRouteError } from "../errors";
import type { RouteModule } from "../loader/import-route";
import { HTTP_METHODS, isHttpMethod, type HttpMethod } from "../http/methods";
import { readFileSchema } from "../validation/route-schema";

/**
 * An OpenAPI Link: a value of this response (`$response.body#/id`) that feeds a parameter of
 * another operation, named by its operationId. /docs shows it; the Postman collection runs the
 * operations in that order and carries the value from one request to the next.
 */
export interface OpenApiLink {
  operationId: string;
  /** Parameter name → runtime expression, e.g. `{ id: "$response.body#/id" }`. */
  parameters: Record<string, string>;
  description?: string;
}

/**
 * What the generated OpenAPI document says about a route: `export const openapi = { … }` for every
 * method of a file, or `defineRoute({ openapi: { … } })` for one endpoint (which wins field by field).
 *
 * @example
 * export const openapi = { summary: "Say hello", tags: ["greetings"] } satisfies OpenApiMetadata;
 */
export interface OpenApiMetadata {
  summary?: string;
  /** Markdown; nextpress appends what it knows (the file, the methods, auth). */
  description?: string;
  /** Postman folders and /docs sections; default: the first segment of the route's path. */
  tags?: string[];
  /** Unique in the document; default: method + path, e.g. `getApiUsersById`. */
  operationId?: string;
  deprecated?: boolean;
  /** Example values, checked against the route's zod schemas when the document is built. */
  examples?: {
    body?: unknown;
    query?: Record<string, unknown>;
    /** Response bodies by status code. */
    responses?: Record<number, unknown>;
  };
  /** Links by response status, e.g. `{ 201: { getUser: { operationId: "getUser", parameters: { id: "$response.body#/id" } } } }`. */
  links?: Record<number, Record<string, OpenApiLink>>;
}

/** A route's documentation, read from its exports at start-up. */
export interface RouteDocs {
  /** `export const openapi`: every operation of the file. */
  readonly file: OpenApiMetadata | undefined;
  /** `defineRoute({ openapi })` of a method export, by method; `default` for the default export's. */
  readonly endpoints: Readonly<Partial<Record<HttpMethod | "default", OpenApiMetadata>>>;
  /**
   * The methods a default-export handler is documented with: `export const methods`, else the
   * keys of a per-method `schema`; undefined when neither says (it receives every method).
   */
  readonly defaultMethods: readonly HttpMethod[] | undefined;
}

const OPERATION_ID = /^[A-Za-z0-9._~-]+$/;
const KEYS = ["summary", "description", "tags", "operationId", "deprecated", "examples", "links"];
// OpenAPI's runtime expressions that name a value of the response (the only ones a link here may use).
const RESPONSE_EXPRESSION =
  /^\$response\.(body(#(\/[^/]*)*)?|header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+)$/;
const EXAMPLE_KEYS = ["body", "query", "responses"];

function fail(where: string, message: string): never {
  throw new InvalidRouteError(`invalid \`${where}\`: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks an `openapi` metadata object; `where` names it in the message. */
export function checkOpenApiMetadata(value: unknown, where: string): OpenApiMetadata | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value))
    fail(where, "expected an object { summary, description, tags, operationId, examples }");
  for (const key of Object.keys(value)) {
    if (!KEYS.includes(key)) fail(where, `unknown key "${key}": use ${KEYS.join(", ")}`);
  }
  const { summary, description, tags, operationId, deprecated, examples, links } = value;
  for (const [key, text] of [
    ["summary", summary],
    ["description", description],
  ] as const) {
    if (text !== undefined && typeof text !== "string")
      fail(`${where}.${key}`, "expected a string");
  }
  if (
    tags !== undefined &&
    !(
      Array.isArray(tags) &&
      tags.length > 0 &&
      tags.every((tag) => typeof tag === "string" && tag !== "")
    )
  ) {
    fail(`${where}.tags`, 'expected an array of names, e.g. ["users"]');
  }
  if (
    operationId !== undefined &&
    !(typeof operationId === "string" && OPERATION_ID.test(operationId))
  ) {
    fail(`${where}.operationId`, "expected a name of letters, digits, `.`, `_`, `~` or `-`");
  }
  if (deprecated !== undefined && typeof deprecated !== "boolean")
    fail(`${where}.deprecated`, "expected true or false");
  if (examples !== undefined) {
    if (!isRecord(examples)) fail(`${where}.examples`, "expected { body, query, responses }");
    for (const key of Object.keys(examples)) {
      if (!EXAMPLE_KEYS.includes(key))
        fail(`${where}.examples`, `unknown key "${key}": use body, query or responses`);
    }
    if (examples.query !== undefined && !isRecord(examples.query))
      fail(`${where}.examples.query`, "expected an object");
    if (examples.responses !== undefined) {
      if (!isRecord(examples.responses))
        fail(`${where}.examples.responses`, "expected { <status>: example }");
      for (const status of Object.keys(examples.responses)) {
        if (!/^[1-5]\d\d$/.test(status))
          fail(`${where}.examples.responses`, `"${status}" is not an HTTP status code`);
      }
    }
  }
  if (links !== undefined) checkLinks(links, `${where}.links`);
  return value as OpenApiMetadata;
}

function checkLinks(links: unknown, where: string): void {
  const shape =
    '{ <status>: { <name>: { operationId, parameters: { id: "$response.body#/id" } } } }';
  if (!isRecord(links)) fail(where, `expected ${shape}`);
  for (const [status, named] of Object.entries(links)) {
    if (!/^[1-5]\d\d$/.test(status)) fail(where, `"${status}" is not an HTTP status code`);
    if (!isRecord(named)) fail(`${where}.${status}`, `expected ${shape}`);
    for (const [name, link] of Object.entries(named)) {
      const at = `${where}.${status}.${name}`;
      if (
        !isRecord(link) ||
        typeof link.operationId !== "string" ||
        !OPERATION_ID.test(link.operationId)
      )
        fail(at, "expected { operationId, parameters }, operationId naming an operation");
      if (!isRecord(link.parameters))
        fail(`${at}.parameters`, 'expected { <parameter>: "$response.body#/<field>" }');
      for (const [parameter, expression] of Object.entries(link.parameters)) {
        if (typeof expression !== "string" || !RESPONSE_EXPRESSION.test(expression)) {
          fail(
            `${at}.parameters.${parameter}`,
            'expected a runtime expression such as "$response.body#/id" or "$response.header.Location"',
          );
        }
      }
      if (link.description !== undefined && typeof link.description !== "string")
        fail(`${at}.description`, "expected a string");
    }
  }
}

function readMethods(value: unknown): HttpMethod[] | undefined {
  if (value === undefined) return undefined;
  const isMethod = (m: unknown) => typeof m === "string" && isHttpMethod(m);
  if (!Array.isArray(value) || value.length === 0 || !value.every(isMethod)) {
    fail(
      "methods",
      `expected a list of HTTP methods, e.g. ["GET", "POST"] (one of ${HTTP_METHODS.join(", ")})`,
    );
  }
  return HTTP_METHODS.filter((m) => value.includes(m));
}

/**
 * Reads `export const openapi`, `export const methods` and each handler's `openapi` (set by
 * defineRoute). Throws InvalidRouteError with the fix for anything unusable.
 */
export function readRouteDocs(mod: RouteModule): RouteDocs {
  const file = checkOpenApiMetadata(mod.docs?.openapi, "openapi");
  const declared = readMethods(mod.docs?.methods);
  if (declared && !mod.handler) {
    fail(
      "methods",
      "documents the methods of a default export, and this file has none: its method exports say which methods it answers",
    );
  }
  const endpoints: Partial<Record<HttpMethod | "default", OpenApiMetadata>> = {};
  const handlers = [
    ["default", mod.handler],
    ...HTTP_METHODS.map((m) => [m, mod.methods[m]] as const),
  ] as const;
  for (const [name, handler] of handlers) {
    const own = (handler as { openapi?: unknown } | undefined)?.openapi;
    // `module.exports = handler; module.exports.openapi = …` is the file's, not the handler's too.
    if (own !== undefined && own !== mod.docs?.openapi)
      endpoints[name] = checkOpenApiMetadata(
        own,
        `${name === "default" ? "default export" : name}.openapi`,
      );
  }
  const schemaMethods = Object.keys(readFileSchema(mod.schema).perMethod).filter(isHttpMethod);
  const fromSchema = schemaMethods.filter((m) => mod.methods[m] === undefined);
  return {
    file,
    endpoints,
    defaultMethods: declared ?? (fromSchema.length > 0 ? fromSchema : undefined),
  };
}
