import http from "node:http";
import type { Logger } from "pino";
import { createApp } from "./app";
import { loadConfig, type Config } from "./config";
import { ConfigError, RouteLoadError } from "./errors";
import { createLogger } from "./logger";

const SHUTDOWN_TIMEOUT_MS = 10_000;

export function failStartup(message: string, logger?: Logger): never {
  logger?.fatal(message);
  process.stderr.write(`nextpress: ${message}\n`);
  process.exit(1);
}

function handleSignals(server: http.Server, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    server.close(() => {
      logger.info("server closed");
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.error("shutdown timed out: exiting with requests still open");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** `npm start`: configuration → logger → app → listen, and a clean stop on SIGTERM/SIGINT. */
export async function startServer(config: Config): Promise<http.Server> {
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await createApp(config, { logger });
  } catch (error) {
    if (error instanceof RouteLoadError) failStartup(error.message, logger);
    throw error;
  }
  const server = http.createServer(app);
  handleSignals(server, logger);
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
