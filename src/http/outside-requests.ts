// Node 24 keeps AsyncLocalStorage stores in an AsyncContextFrame, and an async resource made or
// re-armed while a request's scope is current holds that frame (Node 22 copies the store onto it).
// The connection's keep-alive timer is re-armed by node:http as each response finishes, inside
// that response's scope: without this, every idle connection holds its last request's frame and
// state, which survive scavenges and make V8 grow the young generation under load.
import { AsyncResource } from "node:async_hooks";
import type { Socket } from "node:net";

/** Made at start-up, outside any request: its scope is the process's own. */
const processScope = new AsyncResource("nextpress.processScope", { requireManualDestroy: true });

/** Calls `fn(arg)` outside any request's scope: what it starts keeps no request alive. */
export function outsideRequests<T>(fn: (arg: T) => void, arg: T): void {
  processScope.runInAsyncScope(fn, undefined, arg);
}

function restartIdleTimer(socket: Socket): void {
  socket.setTimeout(socket.timeout ?? 0);
}

/**
 * Re-arms the idle timer of `socket` (node:http's keep-alive timeout, set as a response finishes)
 * outside any request's scope, so that it holds no request's scope until the next response.
 */
export function releaseIdleTimer(socket: Socket | null | undefined): void {
  // A connection without a socket (MCP's in-memory one) has no timer.
  if (socket?.timeout && !socket.destroyed && typeof socket.setTimeout === "function")
    outsideRequests(restartIdleTimer, socket);
}
