import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";

/** A client's X-Request-Id is kept only when short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Health probes run every few seconds: their lines go to debug, not info. */
const QUIET_PATHS = new Set(["/healthz", "/readyz"]);

const kLog = Symbol("nextpress.log");
const kStart = Symbol("nextpress.start");

interface ContextRequest extends Request {
  id: string;
  log: Logger;
  [kLog]?: Logger;
  [kStart]: bigint;
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

function logCompleted(this: Response): void {
  const req = this.req as ContextRequest;
  const durationMs = Number(process.hrtime.bigint() - req[kStart]) / 1e6;
  const line = {
    method: req.method,
    url: req.originalUrl,
    status: this.statusCode,
    durationMs: Math.round(durationMs * 1000) / 1000,
    remoteAddress: req.ip,
    // The client went away before the response was complete.
    ...(this.writableFinished ? {} : { aborted: true }),
  };
  if (QUIET_PATHS.has(req.path)) req.log.debug(line, "request completed");
  else req.log.info(line, "request completed");
}

/**
 * Gives every request an id (the client's X-Request-Id when safe, else a UUID), echoes it in the
 * response, and writes one log line when the exchange ends, completed or aborted.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const request = req as ContextRequest;
  request.id = readRequestId(req.headers["x-request-id"]);
  request[kStart] = process.hrtime.bigint();
  res.setHeader("X-Request-Id", request.id);
  res.once("close", logCompleted);
  next();
}
