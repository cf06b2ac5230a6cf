import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { isApiError } from "../errors";
import { sendJsonError } from "../http/json-error";
import { loggedUrl, requestState } from "../http/request-state";
import type { ServerRequest } from "../http/server-request";

/** An ApiError status we can send: Node throws on anything outside 100–999, Express then answers in HTML. */
function isErrorStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

/** Told of every error a request ends with (instrumentation's `onRequestError`, as in Next). */
export type ErrorListener = (error: unknown, req: ServerRequest) => void;

/**
 * The one error handler. ApiError keeps its status and message (as in Next); anything else is
 * 500 "Internal Server Error" for the client and a full log line with the stack and the request
 * id for the operator: like Next, `statusCode`, `status` and `expose` of other errors are ignored.
 * After the response has started, nothing is sent.
 */
export function createErrorHandler(logger: Logger, onError?: ErrorListener) {
  return function errorHandler(
    error: unknown,
    req: ServerRequest,
    res: ServerResponse,
    _next?: unknown,
  ): void {
    const log = req.log ?? logger;
    const matched = requestState(req).route;
    const route = matched?.file;
    const known =
      isApiError(error) && isErrorStatus(error.statusCode)
        ? { status: error.statusCode, message: error.message }
        : undefined;
    // An ApiError with a 4xx is an answer the route chose, not a failure.
    if (!known || known.status >= 500) onError?.(error, req);
    if (res.headersSent) {
      const closing = !res.writableEnded;
      log.error(
        { err: error, route },
        `error after the response had ${closing ? "started; the connection is closed" : "been sent"}`,
      );
      if (closing) res.destroy();
      return;
    }
    if (known && known.status < 500) {
      log.debug({ err: error, route, status: known.status }, known.message);
      sendJsonError(req, res, known.status, known.message);
      return;
    }
    log.error({ err: error, route }, `${req.method} ${loggedUrl(req)} failed`);
    if (matched?.kind === "app" && !known) {
      // An app-router route handler that throws is a 500 with an empty body, as in Next.
      res.statusCode = 500;
      res.end();
      return;
    }
    sendJsonError(req, res, known?.status ?? 500, known?.message ?? "Internal Server Error");
  };
}

/** JSON 404 for anything no route claims. */
export function notFound(req: IncomingMessage, res: ServerResponse): void {
  sendJsonError(req, res, 404, "Not Found");
}
