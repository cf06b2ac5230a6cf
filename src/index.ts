/**
 * nextpress: Next.js API routes, standalone. The public surface; everything else is internal.
 */
export { createApp, getRoutes, type CreateAppOptions } from "./app";
export { loadConfig, type Config } from "./config";
export { ApiError, RouteLoadError, ConfigError } from "./errors";
export { createLogger } from "./logger";
export { authenticate, createAuthenticate } from "./middleware/authenticate";
export type { Route } from "./loader/load-routes";
export type {
  AuthInfo,
  Middleware,
  NextApiHandler,
  NextApiRequest,
  NextApiResponse,
  PageConfig,
  QueryValue,
  SizeLimit,
} from "./types";
