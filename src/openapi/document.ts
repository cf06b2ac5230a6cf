import { InvalidRouteError, RouteLoadError, type RouteProblem } from "../errors";
import type { Route } from "../loader/load-routes";
import type { Segment } from "../loader/route-pattern";
import { HTTP_METHODS, type HttpMethod } from "../http/methods";
import { reserveErrorSchemas, standardComponents } from "./components";
import { SchemaComponents, type JsonSchema } from "./json-schema";
import {
  buildOperation,
  type BuildContext,
  type Operation,
  type PlannedOperation,
} from "./operations";
import type { ApiInfo } from "./project-info";
import { readRouteDocs, type OpenApiMetadata, type RouteDocs } from "./route-docs";

export type PathItem = Partial<Record<Lowercase<HttpMethod>, Operation>>;

/** An OpenAPI 3.1 document, as plain JSON data. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: ApiInfo;
  servers: { url: string; description: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas?: Record<string, JsonSchema>;
    responses?: Record<string, unknown>;
    securitySchemes?: Record<string, unknown>;
  };
}

/** What a default export that declares nothing is documented with: it receives every method. */
const ANY_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function methodsOf(route: Route, docs: RouteDocs): { method: HttpMethod; anyMethod: boolean }[] {
  // A file that exports only next-ws's UPGRADE is documented by its upgrade GET.
  const exported: readonly HttpMethod[] = route.endpoints.websocket
    ? [...new Set<HttpMethod>([...route.endpoints.methods, "GET"])]
    : route.endpoints.methods;
  const declared = docs.defaultMethods;
  const fromDefault = route.endpoints.handler
    ? (declared ?? ANY_METHODS).filter((m) => !exported.includes(m))
    : [];
  return HTTP_METHODS.filter((m) => exported.includes(m) || fromDefault.includes(m)).map(
    (method) => ({
      method,
      anyMethod: !exported.includes(method) && declared === undefined,
    }),
  );
}

/** `[[...slug]]` also serves its folder: documented as a second path without the parameter. */
function pathVariants(segments: readonly Segment[]): (readonly Segment[])[] {
  const last = segments[segments.length - 1];
  return last?.kind === "optionalCatchAll" ? [segments.slice(0, -1), segments] : [segments];
}

function toPath(segments: readonly Segment[], prefix: string): string {
  return (
    [prefix, ...segments.map((s) => (s.kind === "static" ? s.value : `{${s.name}}`))].join("/") ||
    "/"
  );
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join("");
}

/** `getApiUsersById`: the method, then the path, params as `By<Name>`. */
function defaultOperationId(
  method: HttpMethod,
  segments: readonly Segment[],
  prefix: string,
): string {
  const words = segments.map((s) =>
    s.kind === "static" ? pascal(s.value) : `By${pascal(s.name)}`,
  );
  return method.toLowerCase() + pascal(prefix) + words.join("");
}

/**
 * The prefix and segments a route is documented under: a pages route's mount (`/api`); an app
 * route's folders, where a leading `api` folder counts as the same prefix, so that
 * `app/api/users/route.ts` and `routes/users.ts` get the same tag and operationId style.
 */
function docPath(route: Route): { prefix: string; segments: readonly Segment[] } {
  const [first] = route.segments;
  if (route.mount === "" && first?.kind === "static" && first.value === "api")
    return { prefix: "/api", segments: route.segments.slice(1) };
  return { prefix: route.mount, segments: route.segments };
}

function defaultTag(segments: readonly Segment[], prefix: string): string {
  const first = segments[0];
  if (first === undefined) return prefix.replace(/^\//, "") || "root";
  return first.kind === "static" ? first.value : first.name;
}

/** The file's metadata, then the default export's (for the methods it serves), then the method export's. */
function metadataFor(route: Route, docs: RouteDocs, method: HttpMethod): OpenApiMetadata {
  const fromDefault = route.endpoints.methods.includes(method) ? undefined : docs.endpoints.default;
  return { ...docs.file, ...fromDefault, ...docs.endpoints[method] };
}

/** Each route's `openapi`/`methods` exports, checked; a route whose metadata is unusable is a problem, not a page. */
function readDocs(routes: readonly Route[], problems: RouteProblem[]): Map<Route, RouteDocs> {
  const docs = new Map<Route, RouteDocs>();
  for (const route of routes) {
    try {
      docs.set(route, readRouteDocs(route.module));
    } catch (error) {
      if (!(error instanceof InvalidRouteError)) throw error;
      problems.push({ files: [route.file], reason: error.message });
    }
  }
  return docs;
}

/**
 * The OpenAPI 3.1 document of a route table: every route's paths and methods, its zod schemas as
 * parameters, request bodies and responses, Bearer security where `authenticate` guards it, and
 * nextpress's own error shapes. Throws a RouteLoadError for metadata that cannot be documented
 * (a duplicate operationId, an example its schema rejects).
 *
 * @example
 * const doc = createOpenApiDocument(await loadRoutes(dir, { bodyLimit: "1mb" }), readApiInfo(dir));
 */
export function createOpenApiDocument(
  routes: readonly Route[],
  info: ApiInfo,
  serverUrl = "/",
): OpenApiDocument {
  return describeRoutes(routes, info, serverUrl).document;
}

/** One operation of the document, with what its OpenAPI form loses: the route and its segments. */
export interface DescribedOperation {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The OpenAPI path, e.g. `/api/users/{id}`. */
  readonly path: string;
  /** The URL segments of this path: `[...slug]` and `[[...slug]]` keep their kind here. */
  readonly segments: readonly Segment[];
  readonly route: Route;
  readonly operation: Operation;
}

/**
 * The OpenAPI document and its operations in document order: the one list that the typed client,
 * the MCP tools and the Postman collection all come from.
 */
export function describeRoutes(
  routes: readonly Route[],
  info: ApiInfo,
  serverUrl = "/",
): { document: OpenApiDocument; operations: DescribedOperation[] } {
  const ctx: BuildContext = { components: new SchemaComponents(), used: new Set(), problems: [] };
  const errorRefs = reserveErrorSchemas(ctx.components);

  // Plan every operation first: generated operationIds must avoid every one a route chose.
  const planned: PlannedOperation[] = [];
  const chosen = new Map<string, string>();
  const docsOf = readDocs(routes, ctx.problems);
  for (const route of routes) {
    const docs = docsOf.get(route);
    if (!docs) continue;
    const variants = pathVariants(route.segments);
    const local = new Set<string>();
    const reported = new Set<string>();
    for (const [index, segments] of variants.entries()) {
      for (const { method, anyMethod } of methodsOf(route, docs)) {
        const metadata = metadataFor(route, docs, method);
        // An optional catch-all's folder path gets a generated id: the route's own names its full path.
        const own =
          metadata.operationId && index === variants.length - 1 ? metadata.operationId : undefined;
        if (own && local.has(own)) {
          if (!reported.has(own)) {
            ctx.problems.push({
              files: [route.file],
              reason: `the operationId "${own}" would name several operations of this file: set one per method, with defineRoute({ openapi: { operationId } })`,
            });
          }
          reported.add(own);
        } else if (own && chosen.has(own)) {
          ctx.problems.push({
            files: [chosen.get(own) ?? "", route.file],
            reason: `both use the operationId "${own}": make them unique`,
          });
        }
        if (own) {
          local.add(own);
          chosen.set(own, chosen.get(own) ?? route.file);
        }
        const { prefix, segments: named } = docPath(route);
        const tags = metadata.tags ?? [defaultTag(named, prefix)];
        planned.push({
          route,
          method,
          endpoint: route.endpoints.byMethod.get(method) as PlannedOperation["endpoint"],
          segments,
          operationId: own ?? "",
          anyMethod,
          metadata: { ...metadata, tags },
        });
      }
    }
  }
  const taken = new Set(chosen.keys());
  for (const op of planned) {
    if (op.operationId) continue;
    const named = docPath(op.route);
    // The variant's segments below the documented prefix (a leading app/api folder dropped).
    const below = op.segments.slice(op.route.segments.length - named.segments.length);
    const base = defaultOperationId(op.method, below, named.prefix);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
    taken.add(id);
    op.operationId = id;
  }
  for (const op of planned) {
    for (const [status, links] of Object.entries(op.metadata.links ?? {})) {
      for (const [name, link] of Object.entries(links)) {
        if (taken.has(link.operationId)) continue;
        ctx.problems.push({
          files: [op.route.file],
          reason: `the link "${name}" of ${op.method}'s ${status} response names the operationId "${link.operationId}", which no operation has: check its spelling`,
        });
      }
    }
  }

  const paths: Record<string, PathItem> = {};
  const tags = new Map<string, string | undefined>();
  const operations: DescribedOperation[] = [];
  for (const op of planned) {
    const path = toPath(op.segments, op.route.mount);
    const item = (paths[path] ??= {});
    const operation = buildOperation(op, ctx);
    item[op.method.toLowerCase() as Lowercase<HttpMethod>] = operation;
    operations.push({
      operationId: op.operationId,
      method: op.method,
      path,
      segments: op.segments,
      route: op.route,
      operation,
    });
    const { prefix, segments: named } = docPath(op.route);
    const fallback = defaultTag(named, prefix);
    for (const tag of op.metadata.tags ?? []) {
      if (!tags.has(tag))
        tags.set(
          tag,
          tag === fallback ? `Routes under \`${toPath(named.slice(0, 1), prefix)}\`` : undefined,
        );
    }
  }
  if (ctx.problems.length > 0) {
    const first = routes[0];
    throw new RouteLoadError(first.absoluteFile.slice(0, -first.file.length - 1), ctx.problems);
  }

  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info,
    servers: [{ url: serverUrl, description: "This server" }],
    tags: [...tags].map(([name, description]) => (description ? { name, description } : { name })),
    paths,
    components: standardComponents(ctx.components, errorRefs, ctx.used),
  };
  return { document, operations };
}
