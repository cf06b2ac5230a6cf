import type { IncomingMessage, ServerResponse } from "node:http";
import { lingerAfterResponse, refuseFurtherRequests } from "./lingering-close";

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * True while the request still has body bytes on the wire. Checked on `complete` alone, every
 * bodiless GET answered synchronously (404, 400) would close its keep-alive connection.
 */
function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers["content-length"];
  return (
    req.headers["transfer-encoding"] !== undefined || (length !== undefined && Number(length) > 0)
  );
}

/** A status line may not carry control characters; Node would throw on writeHead. */
const SAFE_STATUS_TEXT = /^[\t\x20-\x7e]*$/;

/**
 * Writes `{ "message": …, ...extra }` with `status`: the one shape of every error the server
 * produces. A body left unread (413 on Content-Length, an early 4xx) is not read just to be
 * thrown away: the connection closes after this answer, lingering a moment so that the client
 * reads it rather than a reset, and nothing that follows on it is answered.
 */
export function sendJsonError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  extra?: object,
): void {
  const body = JSON.stringify({ message, ...extra });
  if (hasUnreadBody(req)) closeAfterResponse(req, res);
  res.statusCode = status;
  if (status !== 500 && SAFE_STATUS_TEXT.test(message) && message.length <= 128)
    res.statusMessage = message;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/** `Connection: close` on this response; later bytes on the connection are read and dropped, never answered. */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("Connection", "close");
  const socket = req.socket;
  if (!socket) return;
  refuseFurtherRequests(socket);
  lingerAfterResponse(socket, req);
}
