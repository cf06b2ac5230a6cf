import express, { type Express } from "express";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Config } from "./config";
import { createLogger } from "./logger";
import { loadRoutes, type Route } from "./loader/load-routes";
import { configureAuthenticate } from "./middleware/authenticate";
import { createErrorHandler, notFound } from "./middleware/error-handler";
import { installRequestLog, requestContext } from "./middleware/request-context";
import { installNextRequest } from "./next/request";
import { installNextResponse } from "./next/response";
import { createDispatcher } from "./router/dispatch";
import type { Middleware } from "./types";

export interface CreateAppOptions {
  /** Defaults to a JSON logger on stdout at `config.logLevel`. */
  logger?: Logger;
  /** `(req, res, next)` middleware run first in every route's chain, before folders' `_middleware`. */
  middleware?: readonly Middleware[];
}

/** The route table an app serves, for tools and tests. */
export function getRoutes(app: Express): readonly Route[] {
  return (app.locals.routes as readonly Route[] | undefined) ?? [];
}

/**
 * Loads every route under `config.routesDir` and assembles the Express app that serves them at
 * `/api/...` with Next's semantics. It never listens: hand it to `http.createServer` or supertest.
 * Rejects with a RouteLoadError naming every broken or conflicting route file.
 *
 * @example
 * const app = await createApp(loadConfig());
 * http.createServer(app).listen(3000);
 */
export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<Express> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    globalMiddleware: options.middleware,
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.locals.routes = routes;
  installNextRequest(app.request);
  installNextResponse(app.response);
  installRequestLog(app.request, logger);
  configureAuthenticate(app, config.apiTokens);
  if (config.apiTokens.length === 0) {
    logger.warn("API_TOKENS is empty: every route protected by authenticate answers 401");
  }

  app.use(
    helmet({
      // A JSON API serves no documents: nothing may be loaded or framed from its responses.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
  );
  app.use(requestContext);
  app.get("/healthz", (_req, res) => res.json({ status: "ok" }));
  app.use(createDispatcher(routes));
  app.use(notFound);
  app.use(createErrorHandler(logger));
  return app;
}
