import cors from "cors";
import express, { type Express } from "express";
import type { Logger } from "pino";
import { trustsWholeChain, type Config } from "../config";
import { createLogger } from "../logger";
import path from "node:path";
import { loadInstrumentation, runRegister, type Instrumentation } from "../loader/instrumentation";
import {
  loadNextConfig,
  PHASE_DEVELOPMENT_SERVER,
  PHASE_PRODUCTION_SERVER,
  type RequestLayerConfig,
} from "../loader/next-config";
import { loadProxyFile, type ProxyFile } from "../loader/proxy-file";
import {
  listManifestFiles,
  loadRoutes,
  loadRoutesLazily,
  type LazyRoute,
  type Route,
} from "../loader/load-routes";
import { recordLoadedFiles, startCacheFile, writeStartCache } from "../loader/start-cache";
import { configureAuthBrake, createAuthBrake } from "../middleware/auth-brake";
import { configureAuthenticate } from "../middleware/authenticate";
import { createMemoryStores, type CounterStores } from "../middleware/counter-stores";
import type { Step } from "../middleware/compose";
import { createUrlRedactor } from "../http/redact-url";
import { requestState } from "../http/request-state";
import { createErrorHandler, notFound, type ErrorListener } from "../middleware/error-handler";
import { createHealthChecks, type Lifecycle } from "../middleware/health";
import { createRouteLimits } from "../middleware/rate-limit";
import { createRequestContext, installRequestLog } from "../middleware/request-context";
import { createSecurityHeaders } from "../middleware/security-headers";
import { createPreviewKeys } from "../next/preview";
import { installNextRequest } from "../next/request";
import { installNextResponse } from "../next/response";
import { createDocsMiddleware, createLazyDocsMiddleware, documentRoutes } from "../openapi";
import { createDispatcher } from "../router/dispatch";
import {
  applyRewrites,
  createBeforeFilesStep,
  createRequestLayerStep,
} from "../router/request-layer";
import { createProxyStep } from "../router/run-proxy";
import { createHttpServer } from "../http/server";
import type http from "node:http";
import { createClusterBus } from "../router/websocket-cluster-bus";
import { createWebSocketRuntime, type WebSocketRuntime } from "../router/websocket-runtime";
import type { Middleware } from "../types";
import type { ServerRequest, ServerResponse } from "../http/server-request";
import { appRouterOf, replaceAppHandle } from "../internals/express";
import { createRequestHandler, type RequestHandler } from "./request-handler";
import { createUpgradeListener, type UpgradeListener } from "./upgrade-handler";

export interface CreateAppOptions {
  /** Defaults to a JSON logger on stdout at `config.logLevel`. */
  logger?: Logger;
  /** `(req, res, next)` middleware run first in every route's chain, before folders' `_middleware`. */
  middleware?: readonly Middleware[];
  /**
   * Import route modules on first use when the routes folder holds a current manifest written by
   * `nextpress check --write-manifest` (which `npm run build` runs); without one, every module is
   * imported now, as usual. The server sets it.
   */
  lazyRoutes?: boolean;
  /** Origins allowed to open a WebSocket besides ALLOWED_WS_ORIGINS (next.config's `experimental.webSocketRouteHandlers.allowedOrigins`). */
  webSocketOrigins?: readonly string[];
}

/** What createApp built. */
export interface NextpressApp {
  /**
   * The Express app, never listening: hand it to `http.createServer`, supertest, or mount it in
   * another Express app with `outer.use(app)`. `app.use(…)` adds middleware that runs for every
   * request after the request id and health checks and before the routes, as in any Express app.
   */
  readonly app: Express;
  /** The one request handler (`app` runs it too): what the server listens with. */
  readonly handle: RequestHandler;
  /** Every route served, in file order: loaded, or, when `lazy`, known by file and pattern until first used. */
  readonly routes: readonly (Route | LazyRoute)[];
  /** True when route modules are imported on first use (a current manifest was found). */
  readonly lazy: boolean;
  /** The server sets `draining` on SIGTERM; /readyz reads it. */
  readonly lifecycle: Lifecycle;
  readonly config: Config;
  readonly logger: Logger;
  /** `instrumentation.ts` beside the routes folder: its hooks, or none. */
  readonly instrumentation: Instrumentation;
  /** `proxy.ts` / `middleware.ts` beside the routes folder (or in its src/), or undefined. */
  readonly proxy: ProxyFile | undefined;
  /** next.config's request layer (basePath, headers, redirects, rewrites), or undefined. */
  readonly nextConfig: RequestLayerConfig | undefined;
  /** WEBSOCKETS=on: the open connections, closed with 1001 at shutdown; undefined when off. */
  readonly websockets: WebSocketRuntime | undefined;
  /** WEBSOCKETS=on: what the http.Server runs on `upgrade`; undefined when off. */
  readonly upgrade: UpgradeListener | undefined;
  /** After the last request: runs instrumentation's `shutdown` (close pools, flush exporters). Never rejects. */
  close(): Promise<void>;
}

/** `cors` for CORS_ORIGINS: none → no CORS headers; `*` → any origin; else exactly the listed ones. */
function createCors(origins: readonly string[]) {
  if (origins.length === 0) return undefined;
  return cors({ origin: origins.includes("*") ? "*" : [...origins], maxAge: 600 });
}

/** Rate-limit counters: in memory, or in Redis when REDIS_URL is set (ioredis is loaded only then). */
async function createCounterStores(config: Config, logger: Logger): Promise<CounterStores> {
  if (!config.redisUrl) return createMemoryStores();
  // Loaded only when Redis is configured.
  type RedisStores = typeof import("../middleware/redis-stores");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRedisStores } = require("../middleware/redis-stores") as RedisStores;
  return createRedisStores(config.redisUrl, logger);
}

function loadRedisBus() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ioredis is loaded only with REDIS_URL
  return require("../router/websocket-redis-bus") as typeof import("../router/websocket-redis-bus");
}

/** The tracing step, when traces are exported; with tracing off not even OpenTelemetry's API is loaded. */
function loadTracing(config: Config) {
  if (!config.tracing) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
  return require("../middleware/trace-request") as typeof import("../middleware/trace-request");
}

/** The MCP endpoint's module: with MCP off, neither it nor the MCP SDK is loaded. */
function loadMcp() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when MCP=on
  return require("../mcp") as typeof import("../mcp");
}

/** What the user added with `app.use`/`app.get` after createApp, run by Express's own router. */
function createAppLayers(app: Express): Step<ServerRequest, ServerResponse> {
  const router = appRouterOf(app);
  return function appLayers(req, res, next) {
    if (router.stack.length === 0) return next();
    router.handle(req, res, next);
  };
}

/**
 * Loads every route under `config.routesDir` and assembles the app that serves them at
 * `/api/...` with Next's semantics, behind helmet's headers, request ids and logs, health checks
 * and CORS. It never listens. Rejects with a RouteLoadError naming every broken or conflicting
 * route file.
 *
 * @example
 * const { app } = await createApp(loadConfig());
 * http.createServer(app).listen(3000);
 */
export async function createApp(
  config: Config,
  options: CreateAppOptions = {},
): Promise<NextpressApp> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  // As Next: register() runs before any route module is imported (so it can instrument them).
  const instrumentation = await loadInstrumentation(config.routesDir);
  await runRegister(instrumentation, config.routesDir);
  // Next's proxy.ts / middleware.ts, from the same project folder as instrumentation.ts.
  const projectDir = path.dirname(config.routesDir);
  const proxy = await loadProxyFile(projectDir);
  const nextConfig = await loadNextConfig(
    projectDir,
    config.development ? PHASE_DEVELOPMENT_SERVER : PHASE_PRODUCTION_SERVER,
  );
  if (nextConfig && nextConfig.ignoredKeys.length > 0)
    logger.info(
      { file: nextConfig.file, keys: nextConfig.ignoredKeys },
      "next.config keys with no meaning for a standalone API server, not applied",
    );
  const rewrites = nextConfig?.rewrites;
  const loadOptions = {
    bodyLimit: config.bodyLimit,
    uploadDir: config.uploadDir,
    globalMiddleware: options.middleware,
    appDir: config.appDir,
  };
  const startCache =
    options.lazyRoutes && config.startCacheDir
      ? startCacheFile(config.startCacheDir, config.routesDir, config.appDir)
      : undefined;
  const lazyRoutes = options.lazyRoutes
    ? await loadRoutesLazily(config.routesDir, loadOptions, startCache)
    : undefined;
  // An eager start where a lazy one was asked for: what it imports is recorded for the next.
  const recording = startCache && !lazyRoutes ? recordLoadedFiles() : undefined;
  let loadedFiles: string[] = [];
  let loadedRoutes: Route[] | undefined;
  try {
    loadedRoutes = lazyRoutes ? undefined : await loadRoutes(config.routesDir, loadOptions);
  } finally {
    loadedFiles = recording?.stop() ?? [];
  }
  const routes: readonly (Route | LazyRoute)[] = lazyRoutes ?? loadedRoutes ?? [];
  // Every route loaded: at once, or (lazy) on first call.
  const allRoutes = async (): Promise<Route[]> =>
    loadedRoutes ?? Promise.all((lazyRoutes ?? []).map((r) => r.load()));
  const lifecycle: Lifecycle = { draining: false };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", config.trustProxy);
  const previewKeys = createPreviewKeys(config.previewSecret, config.development);
  installNextRequest(app.request, previewKeys);
  installNextResponse(app.response, previewKeys);
  installRequestLog(app.request, logger);
  configureAuthenticate(app, config.apiTokens);
  if (trustsWholeChain(config.trustProxy)) {
    logger.warn(
      { trustProxy: config.trustProxy },
      "TRUST_PROXY trusts the whole X-Forwarded-For chain: any client can choose req.ip and so reset rate limits and the failed-token brake; set your proxy's address range (10.0.0.0/8) or hop count (1) instead",
    );
  }
  if (config.apiTokens.length === 0) {
    logger.warn(
      "no API tokens configured (API_TOKENS, API_TOKENS_FILE): every route protected by authenticate answers 401",
    );
  }

  // GET /openapi.json and /docs, documented from the route table (OPENAPI=false: neither). Eagerly
  // loaded routes are documented now, so that unusable metadata stops start-up.
  let docs: ReturnType<typeof createLazyDocsMiddleware> | undefined;
  if (config.openapi && loadedRoutes) {
    docs = createDocsMiddleware(
      documentRoutes(loadedRoutes, config.routesDir, nextConfig?.basePath),
    );
  } else if (config.openapi) {
    docs = createLazyDocsMiddleware(async () =>
      createDocsMiddleware(
        documentRoutes(await allRoutes(), config.routesDir, nextConfig?.basePath),
      ),
    );
  }
  // Everything checked (routes and their document): the next start may import on first use.
  if (recording && startCache) {
    const routeFiles = await listManifestFiles(config.routesDir, loadOptions);
    if (await writeStartCache(startCache, config.routesDir, routeFiles, loadedFiles))
      logger.debug({ file: startCache }, "start-up cache written");
  }
  // POST /mcp (MCP=on): each tool call is a request through this very handler, on a server that never listens.
  let internal: http.Server | undefined;
  const mcp = config.mcp
    ? loadMcp().createMcpEndpoint(
        allRoutes,
        config.routesDir,
        config.mcp.tools,
        () =>
          (internal ??= createHttpServer(handle, {
            limits: config.server,
            prototypes: { request: app.request, response: app.response },
            logger,
          })),
      )
    : undefined;
  const corsMiddleware = createCors(config.corsOrigins);
  // Rate limits and the failed-token brake share one backend (Redis: every replica's counts).
  const stores = await createCounterStores(config, logger);
  const routeLimits = createRouteLimits(config.rateLimit, stores, logger);
  if (config.authFailureLimit)
    configureAuthBrake(
      app,
      createAuthBrake(config.authFailureLimit, () => stores.create("nextpress:auth:"), logger),
    );
  const tracing = loadTracing(config);
  // With REDIS_URL, `publish` reaches every replica's and worker's subscribers (ioredis loaded only
  // then); without it, a WORKERS process's reaches the other workers through the cluster primary.
  const redisBus =
    config.websockets.enabled && config.redisUrl
      ? loadRedisBus().createRedisBus(config.redisUrl, logger)
      : undefined;
  const bus = redisBus ?? (config.websockets.enabled ? createClusterBus() : undefined);
  const websockets = config.websockets.enabled
    ? createWebSocketRuntime({
        config: config.websockets,
        logger,
        bus,
        extraOrigins: [
          ...(options.webSocketOrigins ?? []),
          ...(nextConfig?.webSocketOrigins ?? []),
        ],
      })
    : undefined;
  // Every response, errors and 404s included, gets the security headers and a request id.
  const steps: (Step<ServerRequest, ServerResponse> | undefined)[] = [
    createSecurityHeaders(),
    createRequestContext(logger, createUrlRedactor(config.logRedactQuery)),
    createHealthChecks(lifecycle, {
      ready: instrumentation.ready,
      readyTimeoutMs: config.readyTimeoutMs,
      logger,
      websockets: websockets && {
        open: () => websockets.open,
        max: config.websockets.maxConnections,
      },
    }),
    tracing?.createTraceRequest(),
    corsMiddleware,
    // Next's request layer, before everything that routes (absent: no step at all): next.config's
    // slash normalisation, headers and redirects, the proxy, beforeFiles rewrites.
    nextConfig && createRequestLayerStep(nextConfig),
    proxy && createProxyStep(proxy, projectDir, nextConfig?.basePath),
    rewrites?.beforeFiles.length ? createBeforeFilesStep(rewrites.beforeFiles) : undefined,
    createAppLayers(app),
    docs,
    mcp,
    // Each route's rate limit runs before its body is read: RATE_LIMIT's, or the route's own `rateLimit`.
    createDispatcher(routes, {
      previewKeys,
      maxDurationS: config.maxDurationS,
      websockets,
      guard: (route) => routeLimits(route.pattern, route.settings.rateLimit),
      afterFiles: rewrites?.afterFiles.length
        ? (req, res, next) => applyRewrites(rewrites.afterFiles, req, res, next)
        : undefined,
      fallback: rewrites?.fallback.length
        ? (req, res, next) => applyRewrites(rewrites.fallback, req, res, next)
        : undefined,
    }),
  ];
  const stack = steps.filter((step) => step !== undefined);
  const onError = combineListeners(
    reportError(instrumentation, logger),
    tracing?.recordRequestError,
  );
  const handle = createRequestHandler(app, stack, {
    notFound,
    errorHandler: createErrorHandler(logger, onError),
  });
  // Express's app function calls `app.handle`: http.createServer(app), supertest and a mounting
  // app all run the one handler.
  replaceAppHandle(app, handle);
  const close = async () => {
    try {
      await instrumentation.shutdown?.();
    } catch (error) {
      logger.error({ err: error, file: instrumentation.file }, "instrumentation shutdown() failed");
    }
    await stores.close();
    await redisBus?.close();
  };
  return {
    app,
    handle,
    routes,
    lazy: lazyRoutes !== undefined,
    lifecycle,
    config,
    logger,
    instrumentation,
    proxy,
    nextConfig,
    websockets,
    upgrade: websockets ? createUpgradeListener(handle) : undefined,
    close,
  };
}

/** Both listeners, or the one there is. */
function combineListeners(
  first: ErrorListener | undefined,
  second: ErrorListener | undefined,
): ErrorListener | undefined {
  if (!first || !second) return first ?? second;
  return (error, req) => {
    first(error, req);
    second(error, req);
  };
}

/** instrumentation's `onRequestError`, called as Next calls it; what it throws is logged, never the request's problem. */
function reportError(
  { onRequestError, file }: Instrumentation,
  logger: Logger,
): ErrorListener | undefined {
  if (!onRequestError) return undefined;
  return (error, req) => {
    const route = requestState(req).route;
    const request = {
      path: req.originalUrl ?? req.url ?? "",
      method: req.method ?? "",
      headers: req.headers,
    };
    const context = {
      routerKind: route?.kind === "app" ? ("App Router" as const) : ("Pages Router" as const),
      routePath: route?.pattern ?? "",
      routeType: "route" as const,
    };
    Promise.resolve()
      .then(() => onRequestError(error, request, context))
      .catch((failure: unknown) =>
        logger.error({ err: failure, file }, "instrumentation onRequestError() failed"),
      );
  };
}
