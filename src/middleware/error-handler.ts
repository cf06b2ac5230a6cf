import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { isApiError } from "../errors";
import { JSON_CONTENT_TYPE } from "../next/response";

interface ExposedHttpError {
  status: number;
  expose: true;
  message: string;
}

/** http-errors from Express/connect middleware (body-parser, rate limiters) mark 4xx as `expose`. */
function isExposedHttpError(error: unknown): error is ExposedHttpError {
  const candidate = error as Partial<ExposedHttpError> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.expose === true &&
    typeof candidate.status === "number" &&
    candidate.status >= 400 &&
    candidate.status < 500
  );
}

/** A status line may not carry control characters; Node would throw on writeHead. */
const SAFE_STATUS_TEXT = /^[\t\x20-\x7e]*$/;

/** Writes `{ "message": … }` with `status`; the one shape of every error the server produces. */
export function sendJsonError(req: Request, res: Response, status: number, message: string): void {
  const body = JSON.stringify({ message });
  // A body left unread (413 on Content-Length, early 4xx) must not be parsed as the next request.
  if (!req.complete) res.setHeader("Connection", "close");
  res.statusCode = status;
  if (status !== 500 && SAFE_STATUS_TEXT.test(message) && message.length <= 128) res.statusMessage = message;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * The one error handler. ApiError keeps its status and message (as in Next); an exposed 4xx from
 * Express middleware keeps its own; anything else is 500 "Internal Server Error" for the client
 * and a full log line with the stack and the request id for the operator, as `err.statusCode`
 * of arbitrary errors is ignored in Next. After the response has started, nothing is sent.
 */
export function createErrorHandler(logger: Logger) {
  return function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
    const log = (req as { log?: Logger }).log ?? logger;
    const route = (req as { routeFile?: string }).routeFile;
    const known = isApiError(error)
      ? { status: error.statusCode, message: error.message }
      : isExposedHttpError(error)
        ? { status: error.status, message: error.message }
        : undefined;
    if (res.headersSent) {
      log.error({ err: error, route }, "error after the response had started; the connection is closed");
      if (!res.writableEnded) res.destroy();
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
