import type { Logger } from "pino";
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

/** What createApp builds (`app` for supertest's `request(app)`, `handle`, `routes`, …), plus the logs. */
export interface TestApp extends NextpressApp {
  /** The configuration the app was built with. */
  config: Config;
  /** Every line logged at `LOG_LEVEL` and above so far, parsed; it grows as requests run. */
  logs: LogLine[];
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
  return { ...built, config, logs };
}
