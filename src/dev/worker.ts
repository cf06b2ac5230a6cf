import type http from "node:http";
import type { Logger } from "pino";
import { createAppServer } from "../app/app-server";
import { createApp } from "../app/create-app";
import { clientFiles, writeClient } from "../client";
import type { Route } from "../loader/load-routes";
import type { Config } from "../config";
import { RouteLoadError } from "../errors";
import { createHttpServer } from "../http/server";
import { exitAfterFlush, onStopSignals } from "../lifecycle";
import { createLogger } from "../logger";
import type { WebSocketRuntime } from "../router/websocket-runtime";
import { ensureTypeScriptRuntime } from "../loader/typescript-runtime";
import { findFailedFiles, installFailedFiles } from "./failed-files";
import { isSupervisorMessage, type FailedFile, type WorkerMessage } from "./protocol";
import { createTableErrorHandler } from "./table-error";

// One generation of `nextpress dev`: forked by the supervisor (dev-server.ts) with nothing of the
// routes folder loaded, told once to serve it, told to drain when a newer generation is ready.
// worker-entry.ts runs it; importing this file does nothing.

/** How often idle keep-alive sockets are closed while draining. */
const DRAIN_SWEEP_MS = 100;

let logger: Logger | undefined;
let server: http.Server | undefined;
let draining = false;
let websockets: WebSocketRuntime | undefined;
const inFlight = new Set<http.ServerResponse>();

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function exit(code: number): never {
  return exitAfterFlush(code, logger);
}

type Built =
  | {
      kind: "serve";
      server: http.Server;
      /** Closed with 1012 (Service Restart) when a newer generation takes over. */
      websockets?: WebSocketRuntime;
      routes: number;
      failed: readonly FailedFile[];
      tableError?: string;
    }
  | { kind: "retry"; failed: FailedFile[] };

function tableError(error: RouteLoadError, config: Config, log: Logger): Built {
  const server = createHttpServer(createTableErrorHandler(error.message), {
    limits: config.server,
    logger: log,
  });
  return { kind: "serve", server, routes: 0, failed: [], tableError: error.message };
}

/**
 * The app for the routes folder, with the files that failed to load served as their error. Files
 * that newly fail are stubbed and the app built again in this process, which works for CommonJS
 * (require forgets a module that threw); a file import()ed as ESM keeps failing, as Node's module
 * map remembers the error: then a fresh worker stubs it from the start. A file that still fails
 * when stubbed from the start, or a conflict between files, takes the whole table.
 */
async function build(config: Config, atStart: readonly FailedFile[], log: Logger): Promise<Built> {
  const attempt = async (failed: readonly FailedFile[]): Promise<Built> => {
    const built = await createApp(config, { logger: log });
    if (failed.length === 0) refreshClient(config, built.routes as Route[], log);
    return {
      kind: "serve",
      server: createAppServer(built),
      websockets: built.websockets,
      routes: built.routes.length,
      failed,
    };
  };
  let more: FailedFile[] | undefined;
  try {
    return await attempt(atStart);
  } catch (error) {
    if (!(error instanceof RouteLoadError)) throw error;
    more = findFailedFiles(error, config.routesDir, atStart);
    if (!more) return tableError(error, config, log);
  }
  installFailedFiles(config.routesDir, more);
  try {
    return await attempt([...atStart, ...more]);
  } catch (error) {
    if (!(error instanceof RouteLoadError)) throw error;
    const stillFailing = findFailedFiles(error, config.routesDir, atStart);
    if (!stillFailing) return tableError(error, config, log);
    const retry = new Map(
      [...atStart, ...more, ...stillFailing].map((failed) => [failed.file, failed]),
    );
    return { kind: "retry", failed: [...retry.values()] };
  }
}

/** CLIENT_DIR: the typed client follows every change of a table that loads whole. */
function refreshClient(config: Config, routes: readonly Route[], log: Logger): void {
  if (!config.clientDir) return;
  try {
    const files = writeClient(config.clientDir, clientFiles(routes, config.routesDir));
    if (files.length > 0) log.info({ files }, "typed client written");
  } catch (error) {
    log.warn({ err: error }, "the typed client could not be written");
  }
}

async function serve(config: Config, failed: readonly FailedFile[]): Promise<void> {
  logger = createLogger(config.logLevel, undefined, config.logFormat);
  installFailedFiles(config.routesDir, failed);
  const built = await build(config, failed, logger);
  if (built.kind === "retry") {
    send({ type: "retry", failed: built.failed });
    return exit(0);
  }
  const listening = built.server;
  server = listening;
  websockets = built.websockets;
  // Responses sent once draining has begun close their connection: a keep-alive client moves on to the new code.
  listening.prependListener("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });
  listening.once("error", (error) => {
    send({
      type: "error",
      message: `cannot listen on ${config.host}:${config.port}: ${error.message}`,
    });
    exit(1);
  });
  listening.listen(config.port, config.host, () => {
    const address = listening.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    send({
      type: "ready",
      port,
      routes: built.routes,
      failed: built.failed,
      tableError: built.tableError,
    });
  });
}

/**
 * The supervisor's newer worker takes the connections from now on: responses close their
 * connection, idle keep-alive sockets are closed. The supervisor then disconnects this worker,
 * which closes the server once in-flight requests are done (a connection it was handing over
 * meanwhile is still served, not lost), and the process exits on "disconnect".
 */
function drain(timeoutMs: number): void {
  if (!server) return exit(0);
  draining = true;
  // RFC 6455 §7.4.1 1012: the service restarts; a client reconnects, to the newer generation.
  void websockets?.closeAll(1012, "Service restart");
  for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
  server.closeIdleConnections();
  setInterval(() => server?.closeIdleConnections(), DRAIN_SWEEP_MS).unref();
  setTimeout(() => {
    logger?.warn({ timeoutMs }, "requests still running after the shutdown timeout: closing them");
    exit(0);
  }, timeoutMs).unref();
}

/**
 * The dev worker process: listens to the supervisor, and to signals and errors as the dev server
 * wants (Ctrl-C is the supervisor's to handle; an uncaught exception is logged, not fatal).
 */
export function runDevWorker(): void {
  let config: Config | undefined;
  process.on("message", (message: unknown) => {
    if (!isSupervisorMessage(message)) return;
    if (message.type === "drain") return drain(config?.server.shutdownTimeoutMs ?? 10_000);
    config = message.config;
    serve(message.config, message.failed).catch((error: unknown) => {
      logger?.fatal({ err: error }, "the dev server worker failed to start");
      exit(1);
    });
  });
  // Ctrl-C reaches every process of the terminal's group: the supervisor stops the workers itself.
  onStopSignals((signal) => {
    if (signal === "SIGTERM") exit(0);
  });
  // `npm start` stops on an uncaught exception; the dev server, like Next's, logs it and goes on
  // (exiting would also lose connections the supervisor is handing over at that moment).
  process.on("uncaughtException", (error) => {
    if (!logger) throw error;
    logger.error(
      { err: error },
      "uncaught exception outside a request (`npm start` would stop here)",
    );
  });
  process.on("unhandledRejection", (reason) => {
    logger?.error({ err: reason }, "unhandled promise rejection");
  });

  process.on("disconnect", () => exit(0));

  // tsx is registered before any route file can be loaded: the stub hooks of failed files then run first.
  void ensureTypeScriptRuntime().then(() =>
    process.connected ? send({ type: "standby" }) : exit(0),
  );
}
