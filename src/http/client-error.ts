import http from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { inFlightResponse } from "../internals/node-http";
import { closeLingering, isRefusingRequests } from "./lingering-close";

/** A status for what Node's parser refused, as Node's own clientError answer picks it. */
function clientErrorStatus(code: string | undefined): number {
  if (code === "HPE_HEADER_OVERFLOW") return 431;
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return 413;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return 408;
  return 400;
}

/** Writes the JSON answer to a refused request on the raw socket, then closes it lingering. */
function refuseOnSocket(socket: Socket, status: number): void {
  if (!socket.writable || isRefusingRequests(socket)) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ message: http.STATUS_CODES[status] });
  socket.write(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  closeLingering(socket);
}

/**
 * Answers what Node's parser refused (malformed request, headers too large, a request that timed
 * out) with a JSON error and a lingering close. Only the error's code is logged: its `rawPacket`
 * holds the request's bytes, Authorization and Cookie included. A malformed request pipelined
 * behind one still being answered is refused after that answer, which is not lost; a connection
 * whose own response has started can only be cut. A connection whose last answer is already
 * decided (a refusal, `Connection: close`) gets no second one: what follows it is dropped.
 */
export function createClientErrorHandler(logger: Logger) {
  return function answerClientError(
    error: NodeJS.ErrnoException & { reason?: string },
    socket: Socket,
  ): void {
    logger.debug({ code: error.code, reason: error.reason ?? error.message }, "client error");
    // The answer already on its way is the connection's last: let it finish (and the lingering
    // close read what still arrives), answer nothing more.
    if (isRefusingRequests(socket)) return;
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    const inFlight = inFlightResponse(socket);
    if (inFlight && !inFlight.writableEnded) {
      if (inFlight.req.complete && error.code !== "ERR_HTTP_REQUEST_TIMEOUT") {
        inFlight.once("finish", () => refuseOnSocket(socket, status));
        return;
      }
      if (inFlight.headersSent) {
        socket.destroy();
        return;
      }
    }
    refuseOnSocket(socket, status);
  };
}
