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
 * Node 24 (AsyncContextFrame): the re-arm costs about 90 ns per request, and without it the young
 * generation grew to 64 MB under load. Node 22 copies the stores onto each new async resource
 * through async_hooks: there the re-arm measured about 5 µs of CPU per request (58.8 → 67.7 µs for
 * hello, `--compare`), and its peak RSS under load stayed below bare Express's without it, so on
 * Node 22 an idle connection keeps its last request's scope until its next response or its close.
 */
export const RELEASES_IDLE_TIMERS = Number(process.versions.node.split(".")[0]) >= 24;

/**
 * Re-arms the idle timer of `socket` (node:http's keep-alive timeout, set as a response finishes)
 * outside any request's scope, so that it holds no request's scope until the next response
 * (on Node 24 and later: see RELEASES_IDLE_TIMERS).
 */
export function releaseIdleTimer(socket: Socket | null | undefined): void {
  // A connection without a socket (MCP's in-memory one) has no timer.
  if (
    RELEASES_IDLE_TIMERS &&
    socket?.timeout &&
    !socket.destroyed &&
    typeof socket.setTimeout === "function"
  )
    outsideRequests(restartIdleTimer, socket);
}
