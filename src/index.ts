/**
 * nextpress: Next.js API routes, standalone. The public surface; everything else is internal.
 */
export { createApp, type CreateAppOptions, type NextpressApp } from "./app/create-app";
export type { RequestHandler } from "./app/request-handler";
export type { RouteRef } from "./http/request-state";
export { loadConfig, type Config } from "./config";
export {
  defineRoute,
  defineRouteHandler,
  type DefinedHandler,
  type DefinedRouteHandler,
  type RouteDefinition,
  type RouteHandlerContext,
  type RouteHandlerDefinition,
  type ValidatedRequest,
} from "./define-route";
export type { Instrumentation } from "./loader/instrumentation";
export { ApiError, RouteLoadError, ConfigError } from "./errors";
export { createLogger } from "./logger";
export {
  connectWebSocket,
  createTestApp,
  type LogLine,
  type TestApp,
  type TestAppOptions,
  type TestWebSocket,
} from "./testing";
export type { OpenApiMetadata } from "./openapi/route-docs";
export type { OpenApiDocument } from "./openapi";
export {
  authenticate,
  createAuthenticate,
  type AuthenticateOptions,
  type VerifyToken,
} from "./middleware/authenticate";
export { withMiddleware, type AnyMiddleware } from "./middleware/compose";
export { securityHeaders } from "./middleware/security-headers";
export type { HttpMethod } from "./http/methods";
export {
  readMultipart,
  type MultipartBody,
  type ReadMultipartOptions,
  type UploadedFile,
} from "./web/read-multipart";
export type { RouteSchema } from "./validation/route-schema";
export type { ValidationIssue } from "./validation/validate-request";
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
export type {
  WebSocketCloseDetails,
  WebSocketHooks,
  WebSocketMessage,
  WebSocketMessageData,
  WebSocketPeer,
  WebSocketUpgradeOptions,
} from "./web/websocket-types";
