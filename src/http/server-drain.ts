import type http from "node:http";
import net from "node:net";

/** After the listener closed, how long a keep-alive connection may stay idle before the server closes it. */
const IDLE_GRACE_MS = 500;

/** How often idle connections are closed once the grace is over. */
const SWEEP_MS = 100;

/**
 * Stops accepting and drains `server`, ordered so that a proxy loses no request the server can
 * save (nginx never resends a POST once sent). The listener closes right after an event-loop
 * poll, which accepted every connection queued so far. From then on the server is a lame duck:
 * every answer carries `Connection: close`, so the proxy closes each connection itself after its
 * answer instead of reusing one the server is about to close, and a proxy that finds the port
 * refused (nothing sent: any method is retried elsewhere) stops choosing this server. Idle
 * keep-alive connections, which Node's own `server.close()` would close at once while the proxy
 * may be sending on them, are closed only after IDLE_GRACE_MS: by then a proxy under load has
 * used each (and got its `Connection: close`) or found the port refused and stopped choosing
 * this server. Resolves once the last connection closed. What no server can prevent: a
 * connection still in the kernel's accept queue when the listener closes is reset.
 *
 * @example
 * await stopAccepting(server); // SHUTDOWN_DELAY_MS is over
 */
export function stopAccepting(server: http.Server): Promise<void> {
  server.prependListener("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.shouldKeepAlive = false;
  });
  return new Promise<void>((resolve) => {
    setImmediate(() => {
      // net's close, not http's: http's closes the idle connections at once (see above).
      net.Server.prototype.close.call(server, () => resolve());
      setTimeout(() => {
        server.closeIdleConnections();
        setInterval(() => server.closeIdleConnections(), SWEEP_MS).unref();
      }, IDLE_GRACE_MS).unref();
    });
  });
}
