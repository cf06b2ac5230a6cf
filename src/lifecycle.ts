import type { Logger } from "pino";
import type http from "node:http";
import { stopAccepting } from "./http/server-drain";

// The process lifecycle every nextpress process shares (`npm start`, the WORKERS primary, the dev
// supervisor and its workers): how it stops on a signal, drains, and exits. The only file of
// src/ besides the CLI's outcome that calls process.exit. Importing it does nothing.

export type StopSignal = "SIGTERM" | "SIGINT";

/**
 * Ends the process with `code` once the logger's buffered lines are written (pino's asynchronous
 * destination would otherwise lose them).
 *
 * @example
 * exitAfterFlush(1, logger);
 */
export function exitAfterFlush(code: number, logger?: Logger): never {
  logger?.flush();
  process.exit(code);
}

/**
 * Start-up failed: the reason once, as plain text on stderr (where a terminal, `docker logs` and
 * `kubectl logs` all show it), and exit 1, after what the logger buffered so far.
 */
export function failStartup(message: string, logger?: Logger): never {
  logger?.flush();
  process.stderr.write(`nextpress: ${message}\n`);
  return exitAfterFlush(1);
}

/** Runs `stop` on SIGTERM (`docker stop`, Kubernetes) and SIGINT (Ctrl-C). */
export function onStopSignals(stop: (signal: StopSignal) => void): void {
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

export interface ShutdownOptions {
  server: http.Server;
  logger: Logger;
  /** SHUTDOWN_DELAY_MS: how long to go on serving, /readyz already 503, before the listener closes. */
  delayMs: number;
  /** SHUTDOWN_TIMEOUT_MS: how long requests may still run once the listener closed. */
  timeoutMs: number;
  /** At once: readiness turns 503. */
  onDrain: () => void;
  /** When the listener closes (after the delay): open WebSockets are closed with 1001. */
  onStopAccepting?: () => void;
  /** Once the last connection closed: the app's own shutdown (instrumentation's `shutdown`). */
  onClosed?: () => Promise<void>;
  /** Last words before exit (the event-loop report). */
  onExit?: () => void;
}

/**
 * A server process's shutdown. `stop(reason, 0)`: readiness 503 and, for `delayMs`, serving as
 * before (new connections, keep-alive), so that load balancers stop sending traffic here before
 * anything is refused; then the listener closes and the server drains as a lame duck
 * (http/server-drain.ts), in-flight requests complete, and the process exits 0.
 * `stop(reason, 1)` (a fatal error) skips the delay and exits 1. A second `stop`, or the
 * timeout, exits 1 at once.
 *
 * @example
 * const shutdown = createShutdown({ server, logger, delayMs, timeoutMs, onDrain });
 * onStopSignals((signal) => shutdown.stop(signal, 0));
 */
export function createShutdown(options: ShutdownOptions): {
  stop: (reason: string, code: number) => void;
  readonly stopping: boolean;
} {
  const { server, logger, delayMs, timeoutMs } = options;
  let stopping = false;
  const exit = (code: number): never => {
    options.onExit?.();
    return exitAfterFlush(code, logger);
  };
  const drain = (code: number) => {
    logger.info("shutting down: finishing in-flight requests");
    void stopAccepting(server).then(async () => {
      logger.info("server closed");
      await options.onClosed?.();
      exit(code);
    });
    options.onStopAccepting?.();
    setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out: closing the connections still open");
      exit(1);
    }, timeoutMs).unref();
  };
  const stop = (reason: string, code: number) => {
    if (stopping) {
      logger.warn({ reason }, "second signal: exiting now");
      return exit(1);
    }
    stopping = true;
    options.onDrain();
    const delay = code === 0 ? delayMs : 0;
    if (delay === 0) return drain(code);
    logger.info(
      { reason, delayMs: delay },
      `shutting down in ${delay} ms: /readyz answers 503, still serving until then`,
    );
    setTimeout(() => drain(code), delay);
  };
  return {
    stop,
    get stopping() {
      return stopping;
    },
  };
}
