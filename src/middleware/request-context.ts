import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";

/** A client's X-Request-Id is kept only when short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

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
  req.log.info(
    {
      method: req.method,
      url: req.originalUrl,
      status: this.statusCode,
      durationMs: Math.round(durationMs * 1000) / 1000,
      remoteAddress: req.ip,
    },
    "request completed",
  );
}

/**
 * Gives every request an id (the client's X-Request-Id when safe, else a UUID), echoes it in the
 * response, and writes one log line when the response finishes.
 */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const request = req as ContextRequest;
  request.id = readRequestId(req.headers["x-request-id"]);
  request[kStart] = process.hrtime.bigint();
  res.setHeader("X-Request-Id", request.id);
  res.once("finish", logCompleted);
  next();
}
