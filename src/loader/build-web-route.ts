import type { z } from "zod";
import { InvalidRouteError } from "../errors";
import { HTTP_METHODS, isHttpMethod, type HttpMethod } from "../http/methods";
import type { Rate } from "../rate";
import { toBytes } from "../size";
import type { Middleware } from "../types";
import { checkRouteSchema, readFileSchema, type RouteSchema } from "../validation/route-schema";
import { zod } from "../validation/zod";
import type { Endpoint, RouteEndpoints, SocketExport } from "./build-route";
import type { DirectoryMiddleware } from "./directory-middleware";
import type { RouteModule } from "./import-route";
import { routeConfigSchemas, type MultipartOptions } from "./route-config";
import { toMiddlewareList } from "./middleware-list";

// An endpoint without middleware of its own: one shared empty list (a chain is never changed).
const noMiddleware: readonly Middleware[] = [];

/** `pages`: Next's (req, res) API route; `edge`: a pages route with `runtime: 'edge'`; `app`: app/**\/route.ts. */
export type RouteKind = "pages" | "edge" | "app";

/** A Web handler: `(request, context)` for app routes, `(request, event)` for edge pages routes; returns a Response. */
export type WebHandler = (request: Request, context: never) => unknown;

type Dynamic = "auto" | "force-dynamic" | "force-static" | "error";

/** An app route's segment config (and an edge route's body limit), resolved once at start-up. */
export interface WebSettings {
  readonly dynamic: Dynamic;
  /** Seconds a GET answer may be cached by a shared cache; false: forever; undefined: not cached. */
  readonly revalidate: number | false | undefined;
  /** What `request.json()`/`text()`/`body` may read. */
  readonly bodyLimit: { readonly bytes: number; readonly text: string };
  /** `dynamicParams = false`: params `generateStaticParams` did not list are a 404. */
  readonly dynamicParams: boolean;
  readonly generateStaticParams: (() => unknown) | undefined;
  /** nextpress's `export const rateLimit` ("10/1m", or false); undefined: RATE_LIMIT's. */
  readonly rateLimit?: Rate | false;
  /** `export const maxDuration` in seconds; undefined: MAX_DURATION_S. */
  readonly maxDuration?: number;
  /** nextpress's `export const multipart`: readMultipart's limits. */
  readonly multipart?: MultipartOptions;
}

// Next's segment options (packages/next/src/build/segment-config/app/app-segment-config.ts), and
// nextpress's own three.
const SEGMENT_KEYS = [
  "dynamic",
  "revalidate",
  "fetchCache",
  "dynamicParams",
  "runtime",
  "preferredRegion",
  "maxDuration",
  "generateStaticParams",
  "bodySizeLimit",
  "rateLimit",
  "multipart",
] as const;

/** The segment options read as Next reads them, built with zod when a route first exports one. */
function buildSegmentConfigSchema() {
  const z = zod();
  const { size, routeRateLimit, multipartOptions } = routeConfigSchemas();
  return z.object({
    dynamic: z.enum(["auto", "force-dynamic", "force-static", "error"]).optional(),
    revalidate: z
      .union([z.literal(false), z.number().min(0)], {
        error: "expected false or a number of seconds",
      })
      .optional(),
    fetchCache: z
      .enum([
        "auto",
        "default-cache",
        "only-cache",
        "force-cache",
        "force-no-store",
        "default-no-store",
        "only-no-store",
      ])
      .optional(),
    dynamicParams: z.boolean().optional(),
    runtime: z.enum(["nodejs", "edge", "experimental-edge"]).optional(),
    preferredRegion: z.union([z.string(), z.array(z.string())]).optional(),
    maxDuration: z.number().min(0).optional(),
    generateStaticParams: z.function().optional(),
    // nextpress's own: what request.json()/text()/body may read (BODY_LIMIT by default); false: no limit.
    bodySizeLimit: z.union([z.literal(false), size]).optional(),
    // nextpress's own: this route's requests per window per client IP, or false for none.
    rateLimit: routeRateLimit.optional(),
    // nextpress's own: readMultipart's limits for this route ({ fileSize, files, parts, toDisk }).
    multipart: multipartOptions.optional(),
  } satisfies Record<(typeof SEGMENT_KEYS)[number], unknown>);
}

let segmentConfigSchema: ReturnType<typeof buildSegmentConfigSchema> | undefined;

type SegmentConfig = z.output<ReturnType<typeof buildSegmentConfigSchema>>;

function limitOf(
  value: string | number | false | undefined,
  defaultLimit: string,
): WebSettings["bodyLimit"] {
  if (value === false) return { bytes: Infinity, text: "unlimited" };
  const text = value === undefined ? defaultLimit : String(value);
  return { bytes: toBytes(value ?? defaultLimit), text };
}

/** Reads and checks an app route's segment config exports. */
export function resolveSegmentConfig(mod: RouteModule, defaultBodyLimit: string): WebSettings {
  const named = mod.named ?? (() => undefined);
  const raw = Object.fromEntries(
    SEGMENT_KEYS.map((key) => [key, named(key)]).filter(([, value]) => value !== undefined),
  );
  // Most route files export none of them: nothing to check, and no zod to load.
  let config: SegmentConfig = {};
  if (Object.keys(raw).length > 0) {
    const parsed = (segmentConfigSchema ??= buildSegmentConfigSchema()).safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `export const ${issue.path.join(".")}: ${issue.message}`,
      );
      throw new InvalidRouteError(`invalid segment config (${issues.join("; ")})`);
    }
    config = parsed.data;
  }
  if (config.runtime === "edge" || config.runtime === "experimental-edge") {
    // Accepted: nextpress runs every route on Node, with the same Web APIs an edge route uses.
  }
  return Object.freeze({
    dynamic: config.dynamic ?? "auto",
    revalidate: config.dynamic === "force-dynamic" ? 0 : config.revalidate,
    bodyLimit: limitOf(config.bodySizeLimit, defaultBodyLimit),
    dynamicParams: config.dynamicParams ?? true,
    generateStaticParams: config.generateStaticParams as (() => unknown) | undefined,
    rateLimit: config.rateLimit,
    maxDuration: config.maxDuration,
    multipart: config.multipart,
  });
}

function checkWebHandler(value: unknown, name: string): WebHandler {
  if (typeof value !== "function")
    throw new InvalidRouteError(
      `\`export const ${name}\` is not a function: export a (request, context) handler`,
    );
  return value as WebHandler;
}

/** Next's automatic `Allow`: the exported methods, OPTIONS, HEAD wherever GET is, sorted. */
function appAllow(methods: readonly HttpMethod[]): string {
  const allowed = new Set<string>(["OPTIONS", ...methods]);
  if (allowed.has("GET")) allowed.add("HEAD");
  return [...allowed].sort().join(", ");
}

interface OwnMetadata {
  schema?: unknown;
  middleware?: unknown;
}

/**
 * Turns an imported `route.ts` into its endpoints, as Next reads one: named method exports only
 * (a default export, lowercase names or no method at all stop start-up with Next's own words),
 * HEAD served by GET, OPTIONS answered automatically, any other method 405. nextpress's
 * `middleware` and `schema` exports work as in a pages route.
 */
export function buildAppEndpoints(
  mod: RouteModule,
  directoryMiddleware: readonly DirectoryMiddleware[],
  source = "",
): RouteEndpoints {
  const named = mod.named ?? (() => undefined);
  const lowercase = HTTP_METHODS.map((m) => m.toLowerCase()).filter((m) => named(m) !== undefined);
  if (lowercase.length > 0) {
    throw new InvalidRouteError(
      lowercase
        .map(
          (m) =>
            `Detected lowercase method '${m}'. Export the uppercase '${m.toUpperCase()}' method name to fix this error.`,
        )
        .join(" "),
    );
  }
  if (mod.defaultExport !== undefined) {
    throw new InvalidRouteError(
      "Detected default export. Export a named export for each HTTP method instead (`export async function GET(request) { … }`).",
    );
  }
  if (mod.config !== undefined) {
    throw new InvalidRouteError(
      "`export const config` is the pages router's: a route handler uses segment config exports (`export const dynamic = …`, `export const runtime = …`).",
    );
  }
  const methods = HTTP_METHODS.filter((m) => mod.methods[m] !== undefined);
  const socket = readSocketExport(named);
  if (methods.length === 0 && !socket)
    throw new InvalidRouteError(
      "No HTTP methods exported. Export a named export for each HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS).",
    );
  const handlers = new Map(methods.map((m) => [m, checkWebHandler(mod.methods[m], m)]));
  const fileMiddleware = toMiddlewareList(mod.middleware, "`export const middleware`");
  const fileSchema = readFileSchema(mod.schema);
  for (const method of Object.keys(fileSchema.perMethod).filter(isHttpMethod)) {
    if (!handlers.has(method))
      throw new InvalidRouteError(
        `\`schema.${method}\` has no ${method} handler: export one, or remove it`,
      );
  }

  const byMethod = new Map<string, Endpoint>();
  for (const method of HTTP_METHODS) {
    const own = handlers.get(method) ?? (method === "HEAD" ? handlers.get("GET") : undefined);
    const name = handlers.has(method) ? method : "GET";
    const metadata = (own ?? {}) as OwnMetadata;
    const schema =
      metadata.schema !== undefined && metadata.schema !== mod.schema
        ? checkRouteSchema(metadata.schema, `${name}.schema`)
        : (fileSchema.perMethod[method] ??
          (method === "HEAD" ? fileSchema.perMethod.GET : undefined) ??
          fileSchema.common);
    byMethod.set(method, {
      handler: own as Endpoint["handler"],
      schema: own ? (schema as RouteSchema | undefined) : undefined,
      middleware:
        own && metadata.middleware !== mod.middleware
          ? toMiddlewareList(metadata.middleware, `${name}.middleware`)
          : noMiddleware,
    });
  }
  return {
    handler: undefined,
    methods,
    allow: appAllow(methods),
    byMethod,
    // A token that is not an HTTP method: Next answers 400.
    fallback: { handler: undefined, schema: undefined, middleware: [] },
    chain: [...directoryMiddleware.flatMap((d) => d.middleware), ...fileMiddleware],
    directoryMiddleware,
    fileMiddleware,
    ...(socket ? { socket } : {}),
    ...websocketKind(socket, source),
  };
}

/** `NextResponse.upgrade(` in a GET's file: known without running GET (the route table, OpenAPI). */
const UPGRADE_CALL = /\bNextResponse\s*\.\s*upgrade\s*\(/;

function websocketKind(
  socket: SocketExport | undefined,
  source: string,
): Pick<RouteEndpoints, "websocket"> {
  if (socket) return { websocket: socket.legacy ? "SOCKET" : "UPGRADE" };
  return UPGRADE_CALL.test(source) ? { websocket: "NextResponse.upgrade" } : {};
}

/** next-ws's `UPGRADE`, or its deprecated `SOCKET`: a file exporting only one of them is a route. */
function readSocketExport(named: (name: string) => unknown): SocketExport | undefined {
  for (const name of ["UPGRADE", "SOCKET"]) {
    const value = named(name);
    if (value === undefined) continue;
    if (typeof value !== "function")
      throw new InvalidRouteError(
        `\`export const ${name}\` is not a function: export a (client, server, request, context) handler`,
      );
    return { handler: value as SocketExport["handler"], legacy: name === "SOCKET" };
  }
  return undefined;
}

/** True for a pages route whose `config.runtime` is Next's edge runtime: its default export is a Web handler. */
export function isEdgeConfig(config: unknown): boolean {
  const runtime = (config as { runtime?: unknown } | null | undefined)?.runtime;
  return runtime === "edge" || runtime === "experimental-edge";
}

/** An edge pages route: one default-exported Web handler for every method. */
export function checkEdgeRoute(mod: RouteModule): void {
  const methods = HTTP_METHODS.filter((m) => mod.methods[m] !== undefined);
  if (methods.length > 0) {
    throw new InvalidRouteError(
      `an edge route's default export answers every method: remove the method exports (${methods.join(", ")})`,
    );
  }
  if (typeof mod.handler !== "function") {
    throw new InvalidRouteError(
      "The Edge Function must export a default function: `export default async function handler(request) { return new Response(…) }`",
    );
  }
}

/** An edge pages route's body limit, from `config.api.bodyParser.sizeLimit` as a pages route's. */
export function edgeSettings(
  bodyLimit: { limit: number; limitText: string } | false,
  defaultBodyLimit: string,
): WebSettings {
  return Object.freeze({
    dynamic: "auto" as const,
    revalidate: undefined,
    bodyLimit: bodyLimit
      ? { bytes: bodyLimit.limit, text: bodyLimit.limitText }
      : limitOf(defaultBodyLimit, defaultBodyLimit),
    dynamicParams: true,
    generateStaticParams: undefined,
  });
}
