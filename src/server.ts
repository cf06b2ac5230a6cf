import type http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Logger } from "pino";
import { createAppServer } from "./app/app-server";
import { createApp, type NextpressApp } from "./app/create-app";
import { runPrimary } from "./cluster/primary";
import { identifyWorker, isClusterWorker, onPrimaryShutdown } from "./cluster/worker";
import { loadConfig, type Config } from "./config";
import { ConfigError, RouteLoadError } from "./errors";
import { sendJsonError } from "./http/json-error";
import { createShutdown, failStartup, onStopSignals } from "./lifecycle";
import { createLogger } from "./logger";
import { currentRequestScope } from "./middleware/request-context";

/** "listening" with the number of routes served, and the table itself at debug level. */
function logRoutes(built: NextpressApp, message: string, fields: Record<string, unknown>): void {
  const { routes, lazy, logger } = built;
  logger.info({ ...fields, routes: routes.length, lazy }, message);
  if (!logger.isLevelEnabled("debug")) return;
  for (const route of routes) {
    const methods =
      "endpoints" in route
        ? (route.endpoints.allow ??
          (route.endpoints.methods.length > 0
            ? [...route.endpoints.methods, "ANY"].join(", ")
            : "ANY"))
        : undefined;
    logger.debug(
      {
        pattern: route.pattern,
        style: route.kind,
        file: route.file,
        methods,
        loaded: "endpoints" in route,
      },
      "route",
    );
  }
}

/**
 * An exception or rejection nobody handled, thrown by code running for a request (a timer or
 * callback its handler started, an `error` event with no listener): logged with the request id and
 * route, the request answered 500 if still open (cut if its response had started), and the
 * server goes on serving. False when it belongs to no request.
 */
function failRequestInScope(logger: Logger, error: unknown, origin: string): boolean {
  const scope = currentRequestScope();
  if (!scope) return false;
  const req = scope.req;
  const route = scope.route?.file;
  const res = (req as (http.IncomingMessage & { res?: http.ServerResponse }) | undefined)?.res;
  let answer = "answered 500";
  if (!res || res.writableEnded) answer = "after its response";
  else if (res.headersSent) answer = "the connection is cut";
  logger.error(
    { err: error, reqId: scope.id, route, origin },
    `${origin} in a request${route ? ` to ${route}` : ""}: ${answer}, still serving`,
  );
  if (req && res && !res.writableEnded) {
    if (res.headersSent) res.destroy();
    else sendJsonError(req, res, 500, "Internal Server Error");
  }
  return true;
}

/** How often the event-loop monitor samples; each sample is the time between two ticks. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * The event loop's delay, measured only when the logger would write it (LOG_LEVEL=debug or
 * trace): a 10 ms sampling timer, its percentiles (past the 10 ms it waits by design) logged
 * when the process stops.
 */
function monitorEventLoop(logger: Logger): () => void {
  if (!logger.isLevelEnabled("debug")) return () => undefined;
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  histogram.enable();
  const ms = (ns: number) =>
    Math.max(0, Math.round(ns / 1e4 - EVENT_LOOP_RESOLUTION_MS * 100) / 100);
  return () => {
    histogram.disable();
    logger.debug(
      {
        eventLoopDelayMs: {
          mean: ms(histogram.mean),
          p50: ms(histogram.percentile(50)),
          p99: ms(histogram.percentile(99)),
          max: ms(histogram.max),
        },
        samples: histogram.count,
      },
      "event loop delay",
    );
  };
}

/**
 * SIGTERM/SIGINT: readiness goes 503 at once and, for SHUTDOWN_DELAY_MS, the server goes on
 * serving as before, so that load balancers stop sending traffic here before anything is
 * refused. Then it stops accepting and drains as a lame duck, exit 0 (lifecycle.ts). An uncaught exception thrown
 * for a request fails that request only; one outside any request is logged at fatal and takes
 * the shutdown path, without the delay, with exit 1. In a cluster worker the primary's request
 * starts the same shutdown, and a signal that also reached the worker (a terminal's Ctrl-C
 * reaches the whole process group) is not a second one: the primary decides when to force.
 */
function handleShutdown(logger: Logger, shutdown: ReturnType<typeof createShutdown>): void {
  const inWorker = isClusterWorker();
  const onSignal = (reason: string) => {
    if (inWorker && shutdown.stopping) return;
    shutdown.stop(reason, 0);
  };
  if (inWorker) onPrimaryShutdown(() => onSignal("primary"));
  onStopSignals(onSignal);
  process.on("uncaughtException", (error) => {
    if (failRequestInScope(logger, error, "uncaught exception")) return;
    logger.fatal({ err: error }, "uncaught exception outside a request: shutting down");
    shutdown.stop("uncaughtException", 1);
  });
  process.on("unhandledRejection", (reason) => {
    if (failRequestInScope(logger, reason, "unhandled rejection")) return;
    logger.error({ err: reason }, "unhandled promise rejection");
  });
}

/**
 * OpenTelemetry's SDK, when traces are exported, with the logger's mixin that puts the active
 * trace's ids on every line; with tracing off, none of it is loaded.
 */
function loadTracing(config: Config) {
  if (!config.tracing) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { startTracing } =
    require("./telemetry/start-tracing") as typeof import("./telemetry/start-tracing");
  const { traceLogFields } =
    require("./middleware/trace-request") as typeof import("./middleware/trace-request");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { tracing: config.tracing, startTracing, traceLogFields };
}

/** `npm start`: configuration → logger → app → listen, with a clean stop on SIGTERM/SIGINT. */
async function startServer(config: Config): Promise<http.Server> {
  const otel = loadTracing(config);
  const logger = identifyWorker(
    createLogger(config.logLevel, undefined, config.logFormat, otel?.traceLogFields),
  );
  // Registered before the app is built, so instrumentation.ts's register() already finds the SDK.
  const tracing = otel?.startTracing(otel.tracing, logger);
  let built: NextpressApp;
  try {
    built = await createApp(config, { logger, lazyRoutes: true });
  } catch (error) {
    if (error instanceof RouteLoadError) failStartup(error.message, logger);
    throw error;
  }
  const server = createAppServer(built);
  const { lifecycle } = built;
  let socketsClosed: Promise<void> | undefined;
  const shutdown = createShutdown({
    server,
    logger,
    timeoutMs: config.server.shutdownTimeoutMs,
    delayMs: config.shutdownDelayMs,
    onDrain: () => (lifecycle.draining = true),
    onStopAccepting: () => {
      socketsClosed = built.websockets?.closeAll(1001, "Server shutting down");
    },
    onClosed: async () => {
      // Their log lines are written as each closes: before the exit.
      await socketsClosed;
      await built.close();
      await tracing?.shutdown();
    },
    onExit: monitorEventLoop(logger),
  });
  handleShutdown(logger, shutdown);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logRoutes(built, `listening on http://${config.host}:${port}/api`, { host: config.host, port });
  return server;
}

/**
 * The process entry: configuration from the environment, then the server; start-up failures exit
 * 1. With WORKERS above 1 this process becomes the cluster primary, and each worker it forks
 * runs this same entry and serves.
 */
export function runServer(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) failStartup(error.message);
    throw error;
  }
  if (config.workers > 1 && !isClusterWorker()) {
    return runPrimary(
      config,
      createLogger(config.logLevel, undefined, config.logFormat).child({
        pid: process.pid,
        role: "primary",
      }),
    );
  }
  startServer(config).catch((error: unknown) => {
    failStartup(error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
}
