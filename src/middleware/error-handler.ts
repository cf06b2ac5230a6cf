import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { isApiError } from "../errors";
import { lingerAfterResponse } from "../http/lingering-close";
import { JSON_CONTENT_TYPE } from "../next/response";

/**
 * True while the request still has body bytes on the wire. Checked on `complete` alone, every
 * bodiless GET answered synchronously (404, 400) would close its keep-alive connection.
 */
function hasUnreadBody(req: Request): boolean {
  if (req.complete) return false;
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && Number(length) > 0);
}

/** An ApiError status we can send: Node throws on anything outside 100–999, Express then answers in HTML. */
function isErrorStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

/** A status line may not carry control characters; Node would throw on writeHead. */
const SAFE_STATUS_TEXT = /^[\t\x20-\x7e]*$/;

/** Writes `{ "message": …, ...extra }` with `status`; the one shape of every error the server produces. */
export function sendJsonError(req: Request, res: Response, status: number, message: string, extra?: object): void {
  const body = JSON.stringify({ message, ...extra });
  // A body left unread (413 on Content-Length, early 4xx) is not read just to be thrown away,
  // but the connection lingers a moment so that the client reads this answer, not a reset.
  if (hasUnreadBody(req)) {
    res.setHeader("Connection", "close");
    if (req.socket) lingerAfterResponse(req.socket, req);
  }
  res.statusCode = status;
  if (status !== 500 && SAFE_STATUS_TEXT.test(message) && message.length <= 128) res.statusMessage = message;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * The one error handler. ApiError keeps its status and message (as in Next); anything else is
 * 500 "Internal Server Error" for the client and a full log line with the stack and the request
 * id for the operator: like Next, `statusCode`, `status` and `expose` of other errors are ignored.
 * After the response has started, nothing is sent.
 */
export function createErrorHandler(logger: Logger) {
  return function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
    const log = (req as { log?: Logger }).log ?? logger;
    const route = (req as { routeFile?: string }).routeFile;
    const known =
      isApiError(error) && isErrorStatus(error.statusCode) ? { status: error.statusCode, message: error.message } : undefined;
    if (res.headersSent) {
      const closing = !res.writableEnded;
      log.error({ err: error, route }, `error after the response had ${closing ? "started; the connection is closed" : "been sent"}`);
      if (closing) res.destroy();
      return;
    }
    if (known && known.status < 500) {
      log.debug({ err: error, route, status: known.status }, known.message);
      sendJsonError(req, res, known.status, known.message);
      return;
    }
    log.error({ err: error, route }, `${req.method} ${req.originalUrl} failed`);
    sendJsonError(req, res, known?.status ?? 500, known?.message ?? "Internal Server Error");
  };
}

/** JSON 404 for anything no route claims. */
export function notFound(req: Request, res: Response): void {
  sendJsonError(req, res, 404, "Not Found");
}
