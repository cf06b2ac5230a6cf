import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { inFlightResponse, isLastResponse } from "../internals/node-http";

/** How long, and for how many bytes, a closing connection keeps reading what the client still sends. */
const LINGER_MS = 1000;
const LINGER_BYTES = 4 * 1024 * 1024;

const lingering = new WeakSet<Socket>();
const closing = new WeakSet<Socket>();

/**
 * Marks a connection whose current answer is its last (a refusal, `Connection: close`): any
 * request parsed on it afterwards is dropped unanswered and unhandled, and a parse error is not
 * answered either. One response per refused connection: a second one would be a desync.
 */
export function refuseFurtherRequests(socket: Socket): void {
  closing.add(socket);
}

/** True when nothing more may be answered on `socket`: it is closing, or its last answer is on its way. */
export function isRefusingRequests(socket: Socket | null | undefined): boolean {
  // writableEnded: Node ended it after a response that said `Connection: close`.
  return socket != null && (closing.has(socket) || socket.writableEnded);
}

/**
 * True for a request parsed after its connection's last answer: a refusal, or a response whose
 * headers said `Connection: close` (RFC 9112 §9.6: the server "MUST NOT process any further
 * requests received on that connection"). `res` is the request's own response.
 */
export function isAfterLastAnswer(socket: Socket | null | undefined, res: ServerResponse): boolean {
  if (socket == null) return false;
  if (isRefusingRequests(socket)) return true;
  const inFlight = inFlightResponse(socket);
  return inFlight !== undefined && inFlight !== res && isLastResponse(inFlight);
}

/**
 * Closes a connection after an answer sent before the request was read to its end (413, 415,
 * 408, a parse error). Closed at once, the unread bytes make the kernel send a RST that can
 * overtake the answer, and the client sees "connection reset" instead of its 4xx. So: half-close,
 * read and drop what still arrives (through `incoming`, the request, when the HTTP parser owns
 * the socket), and close when the client does or after LINGER_MS — the lingering close of Apache
 * and Go. Past LINGER_BYTES it stops reading rather than closing: TCP's flow control then stalls
 * the client's writes while it reads the answer (a fast client on loopback sends 4 MB within
 * 20 ms of the answer, before reading it, and a close then would reset the answer away).
 */
export function closeLingering(socket: Socket, incoming?: Readable): void {
  if (socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  closing.add(socket);
  if (socket.writable) socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  if (incoming && !incoming.destroyed) {
    let dropped = 0;
    incoming.on("data", (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) incoming.pause();
    });
    incoming.resume();
  }
}

/**
 * Makes Node's own close of `socket` after the current response (it calls `destroySoon()` when
 * the response says `Connection: close`) a lingering one.
 */
export function lingerAfterResponse(socket: Socket, incoming: Readable): void {
  socket.destroySoon = () => closeLingering(socket, incoming);
}
