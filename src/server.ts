import http from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { Express } from "express";
import { createApp, getFastHandler, getLifecycle } from "./app";
import { createMessageClasses } from "./http/fast-path";
import { loadConfig, type Config, type ServerLimits } from "./config";
import { ConfigError, RouteLoadError } from "./errors";
import { createLogger } from "./logger";

/** How often idle keep-alive sockets are closed while draining. */
const DRAIN_SWEEP_MS = 100;

export function failStartup(message: string, logger?: Logger): never {
  logger?.fatal(message);
  logger?.flush();
  process.stderr.write(`nextpress: ${message}\n`);
  process.exit(1);
}

/**
 * An http.Server for a nextpress app: requests are born with the app's prototypes and go through
 * its fast handler; every limit is explicit (Node checks its timeouts every connectionsCheckingInterval).
 */
export function createHttpServer(app: Express, limits: ServerLimits): http.Server {
  const shortest = Math.min(...[limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0), 30_000);
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node's default (30 s) would let a slowloris client outlive a 10 s headersTimeout by 30 s.
      connectionsCheckingInterval: Math.max(100, Math.floor(shortest / 4)),
      ...createMessageClasses(app),
    },
    getFastHandler(app) as unknown as http.RequestListener,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  return server;
}

interface Stoppable {
  server: http.Server;
  logger: Logger;
  shutdownTimeoutMs: number;
  onDrain: () => void;
}

/**
 * SIGTERM/SIGINT: readiness goes 503, the server stops accepting, in-flight requests complete,
 * idle keep-alive sockets are closed as they become idle, exit 0. A second signal or the
 * timeout forces exit 1. An uncaught exception is logged and takes the same path.
 */
function handleShutdown({ server, logger, shutdownTimeoutMs, onDrain }: Stoppable): void {
  let stopping = false;
  const exit = (code: number) => {
    logger.flush();
    process.exit(code);
  };
  const stop = (reason: string, code: number) => {
    if (stopping) {
      logger.warn({ reason }, "second signal: exiting now");
      return exit(1);
    }
    stopping = true;
    onDrain();
    logger.info({ reason }, "shutting down: finishing in-flight requests");
    server.close(() => {
      logger.info("server closed");
      exit(code);
    });
    const sweep = setInterval(() => server.closeIdleConnections(), DRAIN_SWEEP_MS);
    sweep.unref();
    server.closeIdleConnections();
    setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, "shutdown timed out: closing the connections still open");
      server.closeAllConnections();
      exit(1);
    }, shutdownTimeoutMs).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM", 0));
  process.on("SIGINT", () => stop("SIGINT", 0));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception outside a request: shutting down");
    stop("uncaughtException", 1);
  });
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason }, "unhandled promise rejection");
  });
}

/** `npm start`: configuration → logger → app → listen, with a clean stop on SIGTERM/SIGINT. */
export async function startServer(config: Config): Promise<http.Server> {
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  let app;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    if (error instanceof RouteLoadError) failStartup(error.message, logger);
    throw error;
  }
  const server = createHttpServer(app, config.server);
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    logger.debug({ err: error, code: error.code }, "client error");
    if (!socket.writable || socket.destroyed) return;
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const body = JSON.stringify({ message: http.STATUS_CODES[status] });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  const lifecycle = getLifecycle(app);
  handleShutdown({ server, logger, shutdownTimeoutMs: config.server.shutdownTimeoutMs, onDrain: () => (lifecycle.draining = true) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ host: config.host, port, routes: app.locals.routes.length }, `listening on http://${config.host}:${port}/api`);
  return server;
}

/** The process entry: configuration from the environment, then the server; start-up failures exit 1. */
export function runServer(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) failStartup(error.message);
    throw error;
  }
  startServer(config).catch((error: unknown) => {
    failStartup(error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
}
