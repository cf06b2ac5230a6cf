import type { IncomingMessage, ServerResponse as NodeServerResponse } from "node:http";
import type { Application } from "express";
import type { Logger } from "pino";
import type { RouteRef } from "./request-state";

/**
 * The one request type of the app's steps: node's request with what Express's app and router
 * add (the app's handler sets `res`, `baseUrl`, `originalUrl`, `params`; the app's prototype gives
 * `app`, `ip`, `protocol`, `host`), what nextpress adds (`id`, `log`, `route` once matched). Each
 * is optional: a request that never passed the app's handler has none. NextApiRequest extends it.
 */
export interface ServerRequest extends IncomingMessage {
  res?: ServerResponse;
  next?: (error?: unknown) => void;
  baseUrl?: string;
  originalUrl?: string;
  params?: Record<string, unknown>;
  readonly app?: Application;
  readonly ip?: string;
  readonly protocol?: string;
  readonly host?: string;
  id?: string;
  log?: Logger;
  /** The route the dispatcher matched. */
  route?: RouteRef;
}

/** The response of a ServerRequest: `res.locals` as Express's app gives it. NextApiResponse extends it. */
export interface ServerResponse extends NodeServerResponse<ServerRequest> {
  /** Writable: the app's handler sets it, as Express's app.handle does. */
  req: ServerRequest;
  locals?: Record<string, unknown>;
}
