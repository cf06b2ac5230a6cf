import { InvalidRouteError } from "../errors";
import type { Middleware, NextApiHandler } from "../types";
import { HTTP_METHODS, isHttpMethod, type HttpMethod } from "../http/methods";
import { readFileSchema, checkRouteSchema, type RouteSchema } from "../validation/route-schema";
import type { DirectoryMiddleware } from "./directory-middleware";
import type { RouteModule } from "./import-route";
import { toMiddlewareList } from "./middleware-list";
import type { RouteSettings } from "./route-config";

/** What runs for one method: a handler with its own schema and middleware, or an automatic answer. */
export interface Endpoint {
  /** undefined: nextpress answers itself (204 for OPTIONS, else 405), with `Allow`. */
  readonly handler: NextApiHandler | undefined;
  readonly schema: RouteSchema | undefined;
  readonly middleware: readonly Middleware[];
}

/** next-ws's handlers: `UPGRADE(client, server, request, context)`, deprecated `SOCKET(client, req, server, context)`. */
export interface SocketExport {
  readonly handler: (...args: never[]) => unknown;
  /** `SOCKET`: `(client, IncomingMessage, server, context)`, may return a close callback. */
  readonly legacy: boolean;
}

/** How a route answers each method, fixed at start-up. */
export interface RouteEndpoints {
  /** The file's default export (Next style), if any: it handles every method not exported. */
  readonly handler: NextApiHandler | undefined;
  /** Methods with their own export, in canonical order. */
  readonly methods: readonly HttpMethod[];
  /** `Allow` for 405 and automatic OPTIONS; undefined for a default-export route (no 405 ever). */
  readonly allow: string | undefined;
  readonly byMethod: ReadonlyMap<string, Endpoint>;
  /** For methods outside HTTP_METHODS (PROPFIND, …). */
  readonly fallback: Endpoint;
  /** The folders' and the file's middleware, in order. */
  readonly chain: readonly Middleware[];
  readonly directoryMiddleware: readonly DirectoryMiddleware[];
  /** `export const middleware` of the file. */
  readonly fileMiddleware: readonly Middleware[];
  /** An app route's next-ws `UPGRADE` (or `SOCKET`): what an upgrade request runs instead of GET. */
  readonly socket?: SocketExport;
  /** How the route accepts WebSockets, for the route table and OpenAPI: its GET returns `NextResponse.upgrade()` (as its source says), or next-ws's export. */
  readonly websocket?: "NextResponse.upgrade" | "UPGRADE" | "SOCKET";
}

type OwnMetadata = { schema?: unknown; middleware?: unknown };

function checkHandler(value: unknown, name: string): NextApiHandler {
  if (typeof value !== "function") {
    throw new InvalidRouteError(
      `\`export const ${name}\` is not a function: export a (req, res) handler`,
    );
  }
  return value as NextApiHandler;
}

/** The Allow list: the exported methods, HEAD wherever GET is, and OPTIONS (answered automatically). */
function allowFor(methods: readonly HttpMethod[]): string {
  const allowed = new Set<HttpMethod>(methods);
  if (allowed.has("GET")) allowed.add("HEAD");
  allowed.add("OPTIONS");
  return HTTP_METHODS.filter((m) => allowed.has(m)).join(", ");
}

/**
 * Turns an imported route module into its endpoints: checks every export (handlers, `middleware`,
 * `schema`), decides which handler, schema and middleware serve each method, and the `Allow`
 * list. Throws InvalidRouteError with the fix for anything unusable.
 */
export function buildEndpoints(
  mod: RouteModule,
  settings: RouteSettings,
  directoryMiddleware: readonly DirectoryMiddleware[],
): RouteEndpoints {
  const methods = HTTP_METHODS.filter((m) => mod.methods[m] !== undefined);
  const handlers = new Map(methods.map((m) => [m, checkHandler(mod.methods[m], m)]));
  if (!mod.handler && methods.length === 0) {
    throw new InvalidRouteError(
      "has no default-exported function and no method exports: add `export default function handler(req, res) { … }` " +
        "(or `module.exports = handler` in CommonJS), or `export const GET = …`",
    );
  }
  const fileMiddleware = toMiddlewareList(mod.middleware, "`export const middleware`");
  const fileSchema = readFileSchema(mod.schema);
  for (const method of Object.keys(fileSchema.perMethod).filter(isHttpMethod)) {
    if (!handlers.has(method) && !mod.handler) {
      throw new InvalidRouteError(
        `\`schema.${method}\` has no ${method} handler: export one, or remove it`,
      );
    }
  }
  const applied = settings.inheritMiddleware ? directoryMiddleware : [];

  function endpoint(
    method: string | undefined,
    handler: NextApiHandler | undefined,
    name: string,
  ): Endpoint {
    const own = (handler ?? {}) as OwnMetadata;
    // `module.exports = handler; module.exports.middleware = […]` is the file's middleware, not the handler's too.
    const ownMiddleware = own.middleware === mod.middleware ? undefined : own.middleware;
    const ownSchema = own.schema === mod.schema ? undefined : own.schema;
    const perMethod =
      method === undefined || !isHttpMethod(method)
        ? undefined
        : (fileSchema.perMethod[method] ??
          (method === "HEAD" ? fileSchema.perMethod.GET : undefined));
    return {
      handler,
      schema:
        ownSchema !== undefined
          ? checkRouteSchema(ownSchema, `${name}.schema`)
          : (perMethod ?? fileSchema.common),
      middleware: toMiddlewareList(ownMiddleware, `${name}.middleware`),
    };
  }

  const byMethod = new Map<string, Endpoint>();
  for (const method of HTTP_METHODS) {
    const exported = handlers.get(method) ?? (method === "HEAD" ? handlers.get("GET") : undefined);
    let name = "default export";
    if (handlers.has(method)) name = method;
    else if (exported) name = "GET";
    byMethod.set(method, endpoint(method, exported ?? mod.handler, name));
  }
  return {
    handler: mod.handler,
    methods,
    allow: methods.length > 0 && !mod.handler ? allowFor(methods) : undefined,
    byMethod,
    fallback: endpoint(undefined, mod.handler, "default export"),
    chain: [...applied.flatMap((d) => d.middleware), ...fileMiddleware],
    directoryMiddleware: applied,
    fileMiddleware,
  };
}
