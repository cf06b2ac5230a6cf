import cors from "cors";
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import type { Config } from "./config";
import { createLogger } from "./logger";
import { loadRoutes, loadRoutesLazily, type Route } from "./loader/load-routes";
import { configureAuthenticate } from "./middleware/authenticate";
import { createErrorHandler, notFound } from "./middleware/error-handler";
import { createHealthChecks, type Lifecycle } from "./middleware/health";
import { createRequestContext, installRequestLog } from "./middleware/request-context";
import { createFastHandler } from "./http/fast-path";
import { createSecurityHeaders } from "./middleware/security-headers";
import { createDocsMiddleware, createLazyDocsMiddleware, documentRoutes } from "./openapi";
import { installNextRequest } from "./next/request";
import { installNextResponse } from "./next/response";
import { createDispatcher } from "./router/dispatch";
import type { Middleware } from "./types";

export interface CreateAppOptions {
  /** Defaults to a JSON logger on stdout at `config.logLevel`. */
  logger?: Logger;
  /** `(req, res, next)` middleware run first in every route's chain, before folders' `_middleware`. */
  middleware?: readonly Middleware[];
  /**
   * Import route modules on first use when the routes folder holds a current manifest written by
   * `nextpress check --write-manifest` (which `npm run build` runs); without one, every module is
   * imported now, as usual. The server sets it; getRoutes() is then empty.
   */
  lazyRoutes?: boolean;
}

/** The route table an app serves, for tools and tests. */
export function getRoutes(app: Express): readonly Route[] {
  return (app.locals.routes as readonly Route[] | undefined) ?? [];
}

/**
 * The same app without Express's router in the way (see http/fast-path.ts): what the server
 * listens with. supertest and `http.createServer(app)` get the plain Express app; both run the
 * same middleware in the same order.
 */
export function getFastHandler(app: Express): (req: Request, res: Response) => void {
  return app.locals.fastHandler as (req: Request, res: Response) => void;
}

/** The app's lifecycle flags: the server sets `draining` on SIGTERM, /readyz reads it. */
export function getLifecycle(app: Express): Lifecycle {
  return app.locals.lifecycle as Lifecycle;
}

/** `cors` for CORS_ORIGINS: none → no CORS headers; `*` → any origin; else exactly the listed ones. */
function createCors(origins: readonly string[]) {
  if (origins.length === 0) return undefined;
  return cors({ origin: origins.includes("*") ? "*" : [...origins], maxAge: 600 });
}

/**
 * Loads every route under `config.routesDir` and assembles the Express app that serves them at
 * `/api/...` with Next's semantics, behind helmet's headers, request ids and logs, health
 * checks and CORS. It never listens: hand it to `http.createServer` or supertest.
 * Rejects with a RouteLoadError naming every broken or conflicting route file.
 *
 * @example
 * const app = await createApp(loadConfig());
 * http.createServer(app).listen(3000);
 */
export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<Express> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const loadOptions = { bodyLimit: config.bodyLimit, globalMiddleware: options.middleware };
  const lazy = options.lazyRoutes ? await loadRoutesLazily(config.routesDir, loadOptions) : undefined;
  const routes = lazy ? [] : await loadRoutes(config.routesDir, loadOptions);
  const allRoutes = lazy ? () => Promise.all(lazy.map((route) => route.load())) : () => Promise.resolve(routes);
  const lifecycle: Lifecycle = { draining: false };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("trust proxy", config.trustProxy);
  app.locals.routes = routes;
  app.locals.lifecycle = lifecycle;
  installNextRequest(app.request);
  installNextResponse(app.response);
  installRequestLog(app.request, logger);
  configureAuthenticate(app, config.apiTokens);
  if (config.apiTokens.length === 0) {
    logger.warn("no API tokens configured (API_TOKENS, API_TOKENS_FILE): every route protected by authenticate answers 401");
  }

  // Every response, errors and 404s included, gets the security headers and a request id.
  const corsMiddleware = createCors(config.corsOrigins);
  const stack: RequestHandler[] = [
    createSecurityHeaders(),
    createRequestContext(logger),
    createHealthChecks(lifecycle),
    ...(corsMiddleware ? [corsMiddleware] : []),
    // GET /openapi.json and /docs, documented once here from the route table (OPENAPI=false: neither).
    ...(config.openapi
      ? [
          lazy
            ? createLazyDocsMiddleware(async () => createDocsMiddleware(documentRoutes(await allRoutes(), config.routesDir)))
            : createDocsMiddleware(documentRoutes(routes, config.routesDir)),
        ]
      : []),
    createDispatcher(lazy ?? routes),
    notFound,
  ];
  const errorHandler = createErrorHandler(logger);
  for (const handler of stack) app.use(handler);
  app.use(errorHandler);
  app.locals.fastHandler = createFastHandler(stack, errorHandler);
  return app;
}
