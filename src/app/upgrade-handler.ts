import { ServerResponse, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { requestState } from "../http/request-state";
import type { RequestHandler } from "./request-handler";

/** What an http.Server calls on `upgrade`. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Runs an upgrade request through the app's one handler, as any request: request id and log,
 * health, tracing, CORS, rate limit, the route's middleware and handler. Its response is a real
 * ServerResponse on the connection, so a refusal (`res.status(401).json(…)`) reaches the client
 * and closes it; an accepted handshake hands the connection to `ws` (router/websocket-runtime.ts).
 */
export function createUpgradeListener(handle: RequestHandler): UpgradeListener {
  return function onUpgrade(req, socket, head) {
    socket.on("error", destroyOnError);
    requestState(req).upgrade = { socket, head };
    const res = new ServerResponse(req);
    // Node adds `Connection: close`; the connection ends with the answer.
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.on("finish", () => socket.end());
    handle(req, res);
  };
}
