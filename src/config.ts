import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import proxyAddr from "proxy-addr";
import {
  flag,
  InvalidValue,
  numberOf,
  oneOf,
  optional,
  readFields,
  refined,
  text,
  withDefault,
  type Values,
} from "./config-fields";
import { ConfigError, errorCode, messageOf } from "./errors";
import { DEFAULT_REDACTED_QUERY_KEYS } from "./http/redact-url";
import type { ServerLimits } from "./http/server";
import type { WebSocketConfig } from "./router/websocket-runtime";
import { parseRate, RATE_MESSAGE, type Rate } from "./rate";
import { isSize, SIZE_MESSAGE, toBytes } from "./size";

/** Where `npm start` looks when ROUTES_DIR is unset: the project's routes/, compiled beside this file. */
export const DEFAULT_ROUTES_DIR = path.resolve(__dirname, "..", "routes");

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const sizeString = refined(isSize, SIZE_MESSAGE);

const milliseconds = (fallback: number) =>
  withDefault(
    fallback,
    numberOf({
      expected: "expected milliseconds",
      whole: "expected whole milliseconds",
      min: [0, "expected 0 or more"],
    }),
  );

const count = (fallback: number, min: number) =>
  withDefault(
    fallback,
    numberOf({
      expected: "expected a number",
      whole: "expected a whole number",
      min: [min, `expected ${min} or more`],
    }),
  );

/** Express's `trust proxy`: "1" must become the number 1 (as a string Express would trust an address called "1"). */
type TrustProxy = boolean | number | string[];

function parseTrustProxy(value: string): TrustProxy {
  if (value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch (error) {
    throw new InvalidValue([
      `expected false, true, a hop count such as 1, or IP addresses/CIDR ranges/loopback,uniquelocal,linklocal (${messageOf(error)})`,
    ]);
  }
  return list;
}

const TRUST_PROXY_TRUE_MESSAGE =
  "true believes the left-most X-Forwarded-For entry, which any client chooses (rate limits and " +
  "the failed-token brake can then be reset at will): set TRUST_PROXY to your proxy's address " +
  "range (10.0.0.0/8) or its hop count (1); if every request reaches this server only through " +
  "proxies that overwrite X-Forwarded-For, confirm with TRUST_PROXY_CONFIRMED=true";

/**
 * True when `trust` believes a whole X-Forwarded-For chain, so the client picks `req.ip`: `true`,
 * or ranges that hold every IPv4 or every IPv6 address (`0.0.0.0/1,128.0.0.0/1`).
 */
export function trustsWholeChain(trust: TrustProxy): boolean {
  if (trust === true) return true;
  if (!Array.isArray(trust)) return false;
  const everyone = proxyAddr.compile([...trust]);
  const all = (addresses: string[]) => addresses.every((address) => everyone(address, 0));
  return all(["1.2.3.4", "203.0.113.1", "198.51.100.1"]) || all(["2a00::1", "2001:db8::1"]);
}

const LOG_FORMATS = ["json", "pretty"] as const;

const WORKERS_MESSAGE = "expected auto or a whole number of 1 or more";

/** WORKERS: "auto" is one process per core this process may use (cgroup and affinity limits included). */
function parseWorkers(value: string): number {
  if (value.toLowerCase() === "auto") return os.availableParallelism();
  if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  throw new InvalidValue([WORKERS_MESSAGE]);
}

/** RATE_LIMIT, AUTH_FAILURE_LIMIT: `100/1m`, or `off`. */
function parseRateOrOff(value: string): Rate | undefined {
  if (/^(off|false)$/i.test(value)) return undefined;
  const rate = parseRate(value);
  if (!rate) throw new InvalidValue([`${RATE_MESSAGE}, or off`]);
  return rate;
}

/** ALLOWED_WS_ORIGINS: comma-separated `http(s)://host[:port]`, as browsers send `Origin`. */
function parseOrigins(value: string): string[] {
  const list = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = list.filter(
    (item) =>
      !URL.canParse(item) ||
      !/^https?:$/.test(new URL(item).protocol) ||
      new URL(item).origin !== item.replace(/\/$/, ""),
  );
  if (bad.length > 0)
    throw new InvalidValue([
      `expected origins such as https://app.example.com (scheme, host, port; no path): ${bad.join(", ")}`,
    ]);
  return list.map((item) => new URL(item).origin);
}

const redisUrl = refined(
  (value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol),
  "expected a redis:// or rediss:// URL such as redis://redis:6379",
);

// The OTLP variables nextpress reads itself (whether to trace, which exporter to load); the SDK reads them and every other OTEL_* too.
const otlpEndpoint = refined(
  (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
  "expected an http:// or https:// URL such as http://collector:4318",
);
const OTLP_PROTOCOLS = ["http/protobuf", "http/json"] as const;
const otlpProtocol = oneOf(
  OTLP_PROTOCOLS,
  "expected http/protobuf or http/json (OTLP over gRPC is not supported: use the collector's HTTP port, 4318)",
);
const trueOrFalse = flag("expected true or false");
const onOrOff = flag("expected on or off");

/** START_CACHE: `off`, a folder, or (empty) one per user in the temporary folder. */
function startCacheDirOf(value: string, cwd: string): string | undefined {
  if (value === "off") return undefined;
  if (value) return path.resolve(cwd, value);
  // One per user, as Node's compile cache and tsx's.
  const uid = typeof process.getuid === "function" ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `nextpress-start-cache-${uid}`);
}

/** Every variable, in the order problems are listed; the key is the variable's name. */
const envFields = {
  PORT: withDefault(
    3000,
    numberOf({
      expected: "expected a port number",
      whole: "expected a whole number",
      min: [0, "expected a port from 0 to 65535"],
      max: [65535, "expected a port from 0 to 65535"],
    }),
  ),
  HOST: withDefault("0.0.0.0", text),
  ROUTES_DIR: optional(text),
  // The app-router folder; default: app/ beside the routes folder, when it exists.
  APP_DIR: optional(text),
  LOG_LEVEL: withDefault("info", oneOf(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(", ")}`)),
  API_TOKENS: withDefault("", text),
  API_TOKENS_FILE: optional(text),
  BODY_LIMIT: withDefault("1mb", sizeString),
  // readMultipart's `toDisk` files live in DATA_DIR/tmp-uploads until their response ends.
  DATA_DIR: withDefault("./data", text),
  // Where an eager start records what it checked, so that the next imports routes on first use.
  START_CACHE: withDefault("", text),
  LOG_FORMAT: withDefault("json", oneOf(LOG_FORMATS, `expected one of ${LOG_FORMATS.join(", ")}`)),
  CORS_ORIGINS: withDefault("", text),
  TRUST_PROXY: withDefault(false, parseTrustProxy),
  // TRUST_PROXY=true lets any client choose req.ip: refused with NODE_ENV=production unless confirmed.
  TRUST_PROXY_CONFIRMED: withDefault(false, trueOrFalse),
  // A client has this long to send its headers (slowloris); Node's default is 60 s.
  HEADERS_TIMEOUT_MS: milliseconds(10_000),
  // ... and this long for the whole request, body included; Node's default is 300 s.
  REQUEST_TIMEOUT_MS: milliseconds(30_000),
  // Longer than a proxy's idle timeout (nginx, AWS ALB: 60 s), so the proxy closes first.
  KEEP_ALIVE_TIMEOUT_MS: milliseconds(65_000),
  MAX_HEADER_SIZE: count(16_384, 1024),
  MAX_REQUESTS_PER_SOCKET: count(0, 0),
  SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
  // A route that sets no maxDuration may run this long before its request is answered 504; 0: no
  // limit. Vercel's default for a Node function, so a Next project keeps the bound it had there.
  MAX_DURATION_S: withDefault(
    300,
    numberOf({ expected: "expected seconds", min: [0, "expected 0 or more seconds"] }),
  ),
  // After SIGTERM, /readyz answers 503 and the server goes on serving for this long before it
  // drains: the time a load balancer needs to stop sending traffic here (a preStop sleep, in-process).
  SHUTDOWN_DELAY_MS: milliseconds(0),
  // Server processes sharing the port (node:cluster); 1 is a single process with no primary.
  WORKERS: withDefault(1, parseWorkers),
  // GET /openapi.json and /docs.
  OPENAPI: withDefault(true, trueOrFalse),
  // How long instrumentation's ready() may take before /readyz counts it as not ready.
  READY_TIMEOUT_MS: milliseconds(2_000),
  // Signs preview and draft mode cookies; the same on every replica, kept across restarts.
  PREVIEW_SECRET: optional(
    refined(
      (value) => value.length >= 32,
      "expected at least 32 characters (say, `openssl rand -hex 32`)",
    ),
  ),
  // As Next reads it: "development" relaxes preview cookies for plain http://localhost. The CLI
  // sets it when unset (see defaultNodeEnv), as `next start`/`next dev` do.
  NODE_ENV: optional(text),
  // Requests per window per client IP for every route without its own `rateLimit`; off by default.
  RATE_LIMIT: withDefault(undefined, parseRateOrOff),
  // Wrong tokens per window per client IP before authenticate answers 429 (token guessing).
  AUTH_FAILURE_LIMIT: withDefault(parseRateOrOff("10/15m"), parseRateOrOff),
  // Rate-limit counters (and the failed-token counts) in Redis, shared by every replica; unset: in memory, per process.
  REDIS_URL: optional(redisUrl),
  // Query keys whose values are written [redacted] in every logged URL; `off` logs URLs as sent.
  LOG_REDACT_QUERY: optional(text),
  // WebSocket route handlers (NextResponse.upgrade, next-ws's UPGRADE/SOCKET); off: an upgrade request gets the route's ordinary answer.
  WEBSOCKETS: withDefault(false, onOrOff),
  // Origins (scheme://host[:port]) allowed to open a WebSocket besides the server's own host.
  ALLOWED_WS_ORIGINS: withDefault([], parseOrigins),
  // One message's size; more closes the connection with 1009 (Next's limit: 16 MiB).
  WS_MAX_MESSAGE_SIZE: withDefault("16mb", sizeString),
  // Open WebSockets per process; past it an upgrade is answered 503.
  WS_MAX_CONNECTIONS: count(10_000, 1),
  // A ping this often; a peer that has not answered the previous one is cut. 0: no pings.
  WS_PING_INTERVAL_MS: milliseconds(30_000),
  // Messages one connection may send per window; more closes it with 1008.
  WS_MESSAGE_RATE: withDefault(parseRateOrOff("1000/10s"), parseRateOrOff),
  // Bytes queued for a slow reader; more closes its connection with 1008.
  WS_MAX_BUFFERED: withDefault("16mb", sizeString),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(otlpEndpoint),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(otlpEndpoint),
  OTEL_EXPORTER_OTLP_PROTOCOL: optional(otlpProtocol),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optional(otlpProtocol),
  OTEL_TRACES_EXPORTER: optional(oneOf(["otlp", "none"], "expected otlp or none")),
  OTEL_SDK_DISABLED: withDefault(false, trueOrFalse),
  // POST /mcp: the routes as Model Context Protocol tools (docs/mcp.md); off by default.
  MCP: withDefault(false, onOrOff),
  // The operationIds /mcp offers as tools, comma-separated; unset: every operation.
  MCP_TOOLS: withDefault("", text),
  // `nextpress dev` writes the typed client here (CLIENT_DIR/index.ts) on every reload; unset: not written.
  CLIENT_DIR: optional(text),
};

type EnvValues = Values<typeof envFields>;

/** The checks between variables, run when each variable they read is valid on its own. */
const crossChecks: ReadonlyArray<{
  reads: ReadonlyArray<keyof EnvValues>;
  name: keyof EnvValues;
  message: string;
  ok: (values: EnvValues) => boolean;
}> = [
  {
    reads: ["HEADERS_TIMEOUT_MS", "REQUEST_TIMEOUT_MS"],
    name: "HEADERS_TIMEOUT_MS",
    message: "must not be longer than REQUEST_TIMEOUT_MS",
    ok: (v) => v.REQUEST_TIMEOUT_MS === 0 || v.HEADERS_TIMEOUT_MS <= v.REQUEST_TIMEOUT_MS,
  },
  {
    reads: ["TRUST_PROXY", "NODE_ENV", "TRUST_PROXY_CONFIRMED"],
    name: "TRUST_PROXY",
    message: TRUST_PROXY_TRUE_MESSAGE,
    ok: (v) => v.TRUST_PROXY !== true || v.NODE_ENV !== "production" || v.TRUST_PROXY_CONFIRMED,
  },
];

/**
 * Every environment variable the configuration reads: what a deployment (deploy/k8s, compose)
 * may set. Anything else in its environment is not nextpress configuration.
 */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envFields));

export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Traces exported over OTLP/HTTP; endpoint, headers, sampler and resource come from the standard OTEL_* variables. */
export interface TracingConfig {
  readonly protocol: (typeof OTLP_PROTOCOLS)[number];
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the routes folder. */
  readonly routesDir: string;
  /** Absolute path of the app-router folder (APP_DIR, or app/ beside the routes folder); it may not exist. */
  readonly appDir: string;
  readonly logLevel: LogLevel;
  /** Bearer tokens accepted by `authenticate` (API_TOKENS and API_TOKENS_FILE); empty refuses everyone. */
  readonly apiTokens: readonly string[];
  /** Default body limit as written (it is repeated in the 413 message, as Next does). */
  readonly bodyLimit: string;
  /** Where readMultipart's `toDisk` files are written until the response ends (DATA_DIR/tmp-uploads). */
  readonly uploadDir: string;
  /** The start-up cache's folder (START_CACHE); undefined when it is `off`. */
  readonly startCacheDir: string | undefined;
  readonly logFormat: LogFormat;
  /** Origins allowed by CORS; empty: no CORS headers at all; ["*"]: any origin. */
  readonly corsOrigins: readonly string[];
  readonly trustProxy: TrustProxy;
  readonly server: ServerLimits;
  /** Serve GET /openapi.json and /docs (OPENAPI). */
  readonly openapi: boolean;
  /** How long instrumentation's `ready()` may take (READY_TIMEOUT_MS). */
  readonly readyTimeoutMs: number;
  /** PREVIEW_SECRET; undefined: a random key per process. */
  readonly previewSecret: string | undefined;
  /** NODE_ENV=development. */
  readonly development: boolean;
  /** Server processes (WORKERS, `auto` resolved): 1 runs no cluster primary. */
  readonly workers: number;
  /** MAX_DURATION_S: a route's maxDuration when it sets none (seconds); 0: no limit. */
  readonly maxDurationS: number;
  /** How long to keep serving after SIGTERM, /readyz already 503, before draining (SHUTDOWN_DELAY_MS). */
  readonly shutdownDelayMs: number;
  /** RATE_LIMIT: every route's limit per client IP, unless the route sets its own; undefined: off. */
  readonly rateLimit: Rate | undefined;
  /** AUTH_FAILURE_LIMIT: wrong tokens per client IP before authenticate answers 429; undefined: off. */
  readonly authFailureLimit: Rate | undefined;
  /** REDIS_URL: where the rate-limit counters live; undefined: in this process's memory. */
  readonly redisUrl: string | undefined;
  /** LOG_REDACT_QUERY: query keys whose values logged URLs show as `[redacted]` (lower case). */
  readonly logRedactQuery: readonly string[];
  /** WebSocket route handlers (WEBSOCKETS and the WS_* limits). */
  readonly websockets: WebSocketConfig;
  /** Set when traces are exported (an OTLP endpoint set, or OTEL_TRACES_EXPORTER=otlp, and the SDK not disabled). */
  readonly tracing: TracingConfig | undefined;
  /** MCP=on: /mcp serves the routes as tools, only those named in MCP_TOOLS when it is set; undefined: off. */
  readonly mcp: { readonly tools: readonly string[] | undefined } | undefined;
  /** CLIENT_DIR, absolute: where `nextpress dev` keeps the typed client current; undefined: nowhere. */
  readonly clientDir: string | undefined;
}

/**
 * As `next start` and `next dev`: NODE_ENV defaults to `production` (or `development` for `dev`)
 * when unset or empty, and an explicit value wins. Called before any user module is imported:
 * code such as create-t3-app's `src/env.js` validates NODE_ENV when it loads.
 *
 * @example
 * defaultNodeEnv("production"); // `nextpress start`
 */
export function defaultNodeEnv(
  value: "production" | "development",
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (env.NODE_ENV === undefined || env.NODE_ENV.trim() === "") env.NODE_ENV = value;
}

/**
 * Reads the configuration from the environment once, every variable checked by its reader in
 * `envFields` (config-fields.ts says why they are not a zod schema).
 * Throws a ConfigError naming every bad variable and what it accepts.
 *
 * @example
 * const config = loadConfig(); // process.env
 * const testConfig = loadConfig({ ROUTES_DIR: "test/fixtures/basic", LOG_LEVEL: "silent" });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // An empty variable means "unset", as in most shells' `VAR= cmd`.
  const present: Record<string, string> = {};
  for (const key of CONFIG_VARIABLES) {
    const value = env[key]?.trim();
    if (value !== undefined && value !== "") present[key] = value;
  }
  const { values, problems } = readFields(envFields, present);
  const invalid = new Set(problems.map(([name]) => name));
  for (const check of crossChecks)
    if (!check.reads.some((name) => invalid.has(name)) && !check.ok(values))
      problems.push([check.name, check.message]);
  if (problems.length > 0) {
    const lines = problems.map(
      ([name, message]) => `  ${name}=${JSON.stringify(present[name] ?? "")}: ${message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const routesDir = values.ROUTES_DIR ? path.resolve(cwd, values.ROUTES_DIR) : DEFAULT_ROUTES_DIR;
  const fileTokens = values.API_TOKENS_FILE
    ? readTokensFile(path.resolve(cwd, values.API_TOKENS_FILE))
    : [];
  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    routesDir,
    appDir: values.APP_DIR
      ? path.resolve(cwd, values.APP_DIR)
      : path.join(path.dirname(routesDir), "app"),
    logLevel: values.LOG_LEVEL,
    apiTokens: Object.freeze([
      ...new Set([
        ...values.API_TOKENS.split(",")
          .map((token) => token.trim())
          .filter(Boolean),
        ...fileTokens,
      ]),
    ]),
    bodyLimit: values.BODY_LIMIT,
    uploadDir: path.resolve(cwd, values.DATA_DIR, "tmp-uploads"),
    startCacheDir: startCacheDirOf(values.START_CACHE, cwd),
    logFormat: values.LOG_FORMAT,
    corsOrigins: Object.freeze(
      values.CORS_ORIGINS.split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
    trustProxy: values.TRUST_PROXY,
    server: Object.freeze({
      headersTimeoutMs: values.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: values.KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: values.MAX_HEADER_SIZE,
      maxRequestsPerSocket: values.MAX_REQUESTS_PER_SOCKET,
      shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    }),
    openapi: values.OPENAPI,
    readyTimeoutMs: values.READY_TIMEOUT_MS,
    previewSecret: values.PREVIEW_SECRET,
    development: values.NODE_ENV === "development",
    workers: values.WORKERS,
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
    maxDurationS: values.MAX_DURATION_S,
    rateLimit: values.RATE_LIMIT,
    authFailureLimit: values.AUTH_FAILURE_LIMIT,
    redisUrl: values.REDIS_URL,
    logRedactQuery: parseRedactQuery(values.LOG_REDACT_QUERY),
    websockets: Object.freeze({
      enabled: values.WEBSOCKETS,
      allowedOrigins: Object.freeze(values.ALLOWED_WS_ORIGINS),
      maxMessageBytes: toBytes(values.WS_MAX_MESSAGE_SIZE),
      maxConnections: values.WS_MAX_CONNECTIONS,
      pingIntervalMs: values.WS_PING_INTERVAL_MS,
      messageRate: values.WS_MESSAGE_RATE,
      maxBufferedBytes: toBytes(values.WS_MAX_BUFFERED),
    }),
    tracing: tracingOf(values),
    mcp: values.MCP ? Object.freeze({ tools: listOf(values.MCP_TOOLS) }) : undefined,
    clientDir: values.CLIENT_DIR ? path.resolve(cwd, values.CLIENT_DIR) : undefined,
  });
}

/** A comma-separated list; undefined when it names nothing. */
function listOf(value: string): readonly string[] | undefined {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? Object.freeze(items) : undefined;
}

/** As the OpenTelemetry SDK decides (its default protocol is http/protobuf), but only when asked for: an endpoint, or `otlp` named. */
function tracingOf(values: EnvValues): TracingConfig | undefined {
  const asked =
    values.OTEL_EXPORTER_OTLP_ENDPOINT ??
    values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (values.OTEL_TRACES_EXPORTER === "otlp" ? "default" : undefined);
  if (asked === undefined || values.OTEL_SDK_DISABLED || values.OTEL_TRACES_EXPORTER === "none")
    return undefined;
  return Object.freeze({
    protocol:
      values.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
      values.OTEL_EXPORTER_OTLP_PROTOCOL ??
      "http/protobuf",
  });
}

/** One token per line (a Docker secret); blank lines and `#` comments are skipped. */
function readTokensFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = errorCode(error) === "ENOENT" ? "no such file" : messageOf(error);
    throw new ConfigError(
      `Invalid configuration:\n  API_TOKENS_FILE=${JSON.stringify(file)}: cannot read it (${reason})`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** LOG_REDACT_QUERY: unset → the common credential names; `off` → none; else the listed keys. */
function parseRedactQuery(value: string | undefined): readonly string[] {
  if (value === undefined) return DEFAULT_REDACTED_QUERY_KEYS;
  if (value.toLowerCase() === "off") return Object.freeze([]);
  return Object.freeze(
    value
      .split(",")
      .map((key) => key.trim().toLowerCase())
      .filter(Boolean),
  );
}
