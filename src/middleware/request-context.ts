import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { checkRequestFraming } from "../http/request-framing";
import { sendJsonError } from "./error-handler";

/** A client's X-Request-Id is kept only when short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Health probes run every few seconds: their lines go to debug, not info. */
const QUIET_PATHS = new Set(["/healthz", "/readyz"]);

function isQuiet(url: string): boolean {
  if (url.charCodeAt(1) === 0x61 /* "/a…": the API */) return false;
  const queryStart = url.indexOf("?");
  return QUIET_PATHS.has(queryStart === -1 ? url : url.slice(0, queryStart));
}

const kLog = Symbol("nextpress.log");
const kStart = Symbol("nextpress.start");
const kScope = Symbol("nextpress.scope");

/** Whose work is running: the request, until its response closes; its id and route file for good. */
export interface RequestScope {
  readonly id: string;
  req: Request | undefined;
  route: string | undefined;
}

interface ContextRequest extends Request {
  id: string;
  log: Logger;
  routeFile?: string;
  [kLog]?: Logger;
  [kStart]: number;
  [kScope]: RequestScope;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * The request on whose behalf the current code runs, through every callback, timer and promise
 * its handling started (the process's uncaughtException handler reads it to tell a request's
 * failure from the process's own); undefined outside any request.
 */
export function currentRequestScope(): RequestScope | undefined {
  return requestScope.getStore();
}

export function readRequestId(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** `req.log`: a child logger carrying the request id, made on first use only. */
export function installRequestLog(proto: object, logger: Logger): void {
  Object.defineProperty(proto, "log", {
    configurable: true,
    get(this: ContextRequest) {
      return (this[kLog] ??= logger.child({ reqId: this.id }));
    },
  });
}

/**
 * Gives every request an id (the client's X-Request-Id when safe, else a UUID), echoes it in the
 * response, and writes one log line when the exchange ends, completed or aborted. The line is
 * written by the root logger with the id as a field: no child logger per request. A request whose
 * framing no handler should see is refused here (see http/request-framing.ts); every other one
 * runs the rest of the stack inside its RequestScope.
 */
export function createRequestContext(logger: Logger) {
  function logCompleted(this: Response): void {
    const req = this.req as ContextRequest;
    // Timers the request started may outlive it: they keep its id and route, not the request.
    const scope = req[kScope];
    scope.route = req.routeFile;
    scope.req = undefined;
    const line = {
      reqId: req.id,
      method: req.method,
      url: req.originalUrl ?? req.url,
      status: this.statusCode,
      durationMs: Math.round((performance.now() - req[kStart]) * 1000) / 1000,
      remoteAddress: req.ip,
      // The client went away before the response was complete: which route kept it waiting.
      aborted: this.writableFinished ? undefined : true,
      route: this.writableFinished ? undefined : req.routeFile,
    };
    if (isQuiet(req.url)) logger.debug(line, "request completed");
    else logger.info(line, "request completed");
  }

  return function requestContext(req: Request, res: Response, next: NextFunction): void {
    const request = req as ContextRequest;
    request.id = readRequestId(req.headers["x-request-id"]);
    request[kStart] = performance.now();
    res.setHeader("X-Request-Id", request.id);
    const scope: RequestScope = { id: request.id, req, route: undefined };
    request[kScope] = scope;
    // `on`, not `once`: a response closes once, and `once` allocates a wrapper per request.
    res.on("close", logCompleted);
    const refusal = checkRequestFraming(req);
    if (refusal) {
      res.setHeader("Connection", "close");
      return sendJsonError(req, res, refusal.status, refusal.message);
    }
    requestScope.run(scope, next);
  };
}
