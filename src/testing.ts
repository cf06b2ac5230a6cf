import type http from "node:http";
import type { Logger } from "pino";
import type WebSocket from "ws";
import { createAppServer } from "./app/app-server";
import { createApp, type NextpressApp } from "./app/create-app";
import { loadConfig, type Config } from "./config";
import { createLogger } from "./logger";
import type { Middleware } from "./types";

export interface TestAppOptions {
  /** The routes folder to serve: absolute, or relative to the working directory. */
  routesDir: string;
  /** The app-router folder (`app/**\/route.ts`); default: `app/` beside `routesDir`, when it exists. */
  appDir?: string;
  /**
   * Environment variables as the server reads them (`API_TOKENS`, `BODY_LIMIT`, `LOG_LEVEL`, …),
   * over the defaults. `process.env` is not read unless you pass it. `LOG_LEVEL` defaults to
   * `silent`; `ROUTES_DIR` is ignored (`routesDir` says where the routes are).
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** createApp's global middleware: run first in every route's chain. */
  middleware?: readonly Middleware[];
  /** Log to this logger instead; `logs` then stays empty. */
  logger?: Logger;
}

/** One line the app logged, as pino wrote it: numeric `level` (30 info, 40 warn, 50 error), `msg`, its fields. */
export interface LogLine {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

/** The `ws` client's options, and the subprotocols to offer. */
export type TestWebSocketOptions = WebSocket.ClientOptions & { protocols?: string | string[] };

/** A `ws` client that keeps what it receives, for tests. */
export interface TestWebSocket extends WebSocket {
  /** The next message not yet taken: text as a string, binary as a Buffer. */
  nextMessage(): Promise<string | Buffer>;
  /** Resolves when the connection closes, with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

/**
 * Opens a `ws` client to `url` that keeps every message from the first one on (a server that
 * speaks first would otherwise race the test's listener). Rejects when the handshake fails.
 */
export function connectWebSocket(
  url: string,
  options: TestWebSocketOptions = {},
): Promise<TestWebSocket> {
  const { protocols, ...clientOptions } = options;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a route importing nextpress never loads `ws`
  const Client = require("ws") as typeof WebSocket;
  const socket = new Client(url, protocols, clientOptions) as TestWebSocket;
  const received: (string | Buffer)[] = [];
  const waiting: ((message: string | Buffer) => void)[] = [];
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : data.toString("utf8");
    const taker = waiting.shift();
    if (taker) taker(message);
    else received.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once("close", (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  Object.assign(socket, {
    closed,
    nextMessage: () => {
      const message = received.shift();
      if (message !== undefined) return Promise.resolve(message);
      return new Promise<string | Buffer>((resolve) => waiting.push(resolve));
    },
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** What createApp builds (`app` for supertest's `request(app)`, `handle`, `routes`, …), plus the logs. */
export interface TestApp extends NextpressApp {
  /** The configuration the app was built with. */
  config: Config;
  /** Every line logged at `LOG_LEVEL` and above so far, parsed; it grows as requests run. */
  logs: LogLine[];
  /**
   * Starts the server `npm start` would run for this app (WebSocket upgrades included) on a free
   * loopback port, once, and returns its base URL (`http://127.0.0.1:PORT`). `close()` stops it.
   */
  listen(): Promise<string>;
  /**
   * Opens a WebSocket (the `ws` client) to `path` on the listening server (started if needed);
   * resolves once open, rejects with the status of a refused handshake (`Unexpected server
   * response: 401`). Messages are kept from the first one on: `nextMessage()` takes them in order.
   *
   * @example
   * const socket = await app.openWebSocket("/api/chat");
   * socket.send("hello");
   * expect(await socket.nextMessage()).toBe("echo:hello");
   */
  openWebSocket(path: string, options?: TestWebSocketOptions): Promise<TestWebSocket>;
  /** Stops the listening server (its WebSockets closed with 1001) and runs instrumentation's `shutdown`. */
  close(): Promise<void>;
}

/**
 * Builds the app for `routesDir` as `npm start` would (the same createApp, the same request
 * handler), for in-process tests of your own routes with supertest: the configuration comes from `env` alone, logs are captured (at `LOG_LEVEL`,
 * `silent` unless you set it). Rejects with a RouteLoadError or ConfigError as start-up would fail.
 *
 * @example
 * const { app } = await createTestApp({ routesDir: "routes", env: { API_TOKENS: "test-token" } });
 * await request(app).get("/api/hello").expect(200);
 */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const env = options.env ?? {};
  const config = loadConfig({
    ...env,
    LOG_LEVEL: env.LOG_LEVEL?.trim() ? env.LOG_LEVEL : "silent",
    ROUTES_DIR: options.routesDir,
    ...(options.appDir !== undefined ? { APP_DIR: options.appDir } : {}),
  });
  const logs: LogLine[] = [];
  // A destination written synchronously: a line is in `logs` as soon as it is logged.
  const logger =
    options.logger ??
    createLogger(config.logLevel, {
      write: (line: string) => void logs.push(JSON.parse(line) as LogLine),
    });
  const built = await createApp(config, { logger, middleware: options.middleware });
  let server: http.Server | undefined;
  let listening: Promise<string> | undefined;
  const listen = () =>
    (listening ??= new Promise<string>((resolve, reject) => {
      const started = createAppServer(built);
      server = started;
      started.once("error", reject);
      started.listen(0, "127.0.0.1", () => {
        const address = started.address();
        resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
      });
    }));
  const openWebSocket = async (path: string, clientOptions?: TestWebSocketOptions) => {
    const base = await listen();
    return connectWebSocket(`${base.replace(/^http/, "ws")}${path}`, clientOptions);
  };
  const close = async () => {
    if (server) {
      const stopping = server;
      server = undefined;
      listening = undefined;
      await built.websockets?.closeAll(1001, "Server shutting down");
      await new Promise<void>((resolve) => {
        stopping.close(() => resolve());
        stopping.closeAllConnections();
      });
    }
    await built.close();
  };
  return { ...built, config, logs, listen, openWebSocket, close };
}
