import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONFIG_VARIABLES, DEFAULT_ROUTES_DIR, loadConfig } from "../src/config";
import { ConfigError } from "../src/errors";
import { DEFAULT_REDACTED_QUERY_KEYS } from "../src/http/redact-url";

describe("loadConfig", () => {
  it("has Next-like defaults when nothing is set", () => {
    expect(loadConfig({}, "/srv")).toEqual({
      port: 3000,
      host: "0.0.0.0",
      routesDir: DEFAULT_ROUTES_DIR,
      appDir: path.join(path.dirname(DEFAULT_ROUTES_DIR), "app"),
      logLevel: "info",
      apiTokens: [],
      bodyLimit: "1mb",
      logFormat: "json",
      corsOrigins: [],
      trustProxy: false,
      server: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 65_000,
        maxHeaderSize: 16_384,
        maxRequestsPerSocket: 0,
        shutdownTimeoutMs: 10_000,
      },
      openapi: true,
      readyTimeoutMs: 2_000,
      previewSecret: undefined,
      development: false,
      uploadDir: "/srv/data/tmp-uploads",
      startCacheDir: path.join(os.tmpdir(), `nextpress-start-cache-${process.getuid?.()}`),
      workers: 1,
      shutdownDelayMs: 0,
      maxDurationS: 300,
      rateLimit: undefined,
      authFailureLimit: { limit: 10, windowMs: 15 * 60_000, text: "10/15m" },
      redisUrl: undefined,
      logRedactQuery: DEFAULT_REDACTED_QUERY_KEYS,
      websockets: {
        enabled: false,
        allowedOrigins: [],
        maxMessageBytes: 16 * 1024 * 1024,
        maxConnections: 10_000,
        pingIntervalMs: 30_000,
        messageRate: { limit: 1000, windowMs: 10_000, text: "1000/10s" },
        maxBufferedBytes: 16 * 1024 * 1024,
      },
      tracing: undefined,
    });
  });

  it("puts APP_DIR beside the routes folder unless it is set", () => {
    expect(loadConfig({ ROUTES_DIR: "api/routes" }, "/srv/app").appDir).toBe("/srv/app/api/app");
    expect(loadConfig({ ROUTES_DIR: "api/routes", APP_DIR: "web" }, "/srv/app").appDir).toBe(
      "/srv/app/web",
    );
  });

  it("refuses a PREVIEW_SECRET too short to sign with", () => {
    expect(() => loadConfig({ PREVIEW_SECRET: "short" })).toThrow(
      /PREVIEW_SECRET="short": expected at least 32 characters/,
    );
    expect(loadConfig({ PREVIEW_SECRET: "x".repeat(32) }).previewSecret).toBe("x".repeat(32));
  });

  it("defaults ROUTES_DIR to the project's routes/ folder", () => {
    expect(DEFAULT_ROUTES_DIR).toBe(path.resolve(__dirname, "..", "routes"));
  });

  it("resolves a relative ROUTES_DIR against the working directory and keeps an absolute one", () => {
    expect(loadConfig({ ROUTES_DIR: "api/routes" }, "/srv/app").routesDir).toBe(
      "/srv/app/api/routes",
    );
    expect(loadConfig({ ROUTES_DIR: "/opt/routes" }, "/srv/app").routesDir).toBe("/opt/routes");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      API_TOKENS: " a , b,,c ",
      BODY_LIMIT: "5mb",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      logLevel: "silent",
      apiTokens: ["a", "b", "c"],
      bodyLimit: "5mb",
    });
  });

  it("reads START_CACHE: a folder (relative to the working directory), or off", () => {
    expect(loadConfig({ START_CACHE: "cache/start" }, "/srv").startCacheDir).toBe(
      "/srv/cache/start",
    );
    expect(loadConfig({ START_CACHE: "off" }, "/srv").startCacheDir).toBeUndefined();
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", LOG_LEVEL: " " }).port).toBe(3000);
  });

  it("is frozen", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.apiTokens)).toBe(true);
  });

  it.each([
    [{ PORT: "abc" }, /PORT="abc": expected a port number/],
    [{ PORT: "70000" }, /PORT="70000": expected a port from 0 to 65535/],
    [{ PORT: "3.5" }, /PORT="3.5": expected a whole number/],
    [
      { LOG_LEVEL: "verbose" },
      /LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent/,
    ],
    [{ BODY_LIMIT: "lots" }, /BODY_LIMIT="lots": expected a size/],
    [{ BODY_LIMIT: "-1mb" }, /BODY_LIMIT="-1mb": expected a size/],
    [{ BODY_LIMIT: "5 megabytes" }, /BODY_LIMIT="5 megabytes": expected a size/],
  ])("rejects %j naming the variable and what is allowed", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("names every bad variable at once", () => {
    expect(() => loadConfig({ PORT: "x", LOG_LEVEL: "y" })).toThrow(/PORT="x"[\s\S]*LOG_LEVEL="y"/);
  });

  it("lists every variable it reads, and only those", () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining([
        "PORT",
        "HOST",
        "API_TOKENS_FILE",
        "WORKERS",
        "SHUTDOWN_DELAY_MS",
        "SHUTDOWN_TIMEOUT_MS",
      ]),
    );
    expect(CONFIG_VARIABLES).not.toContain("HOME");
    // A variable outside the list is not read: it cannot make start-up fail.
    expect(() => loadConfig({ NOT_A_SETTING: "???" })).not.toThrow();
  });
});

describe("loadConfig: WORKERS and SHUTDOWN_DELAY_MS", () => {
  it.each([
    ["1", 1],
    ["2", 2],
    ["16", 16],
    [" 3 ", 3],
  ])("reads WORKERS=%j as %d server processes", (value, workers) => {
    expect(loadConfig({ WORKERS: value }).workers).toBe(workers);
  });

  it("reads WORKERS=auto (any case) as the number of cores this process may use", () => {
    expect(loadConfig({ WORKERS: "auto" }).workers).toBe(os.availableParallelism());
    expect(loadConfig({ WORKERS: "AUTO" }).workers).toBe(os.availableParallelism());
  });

  it("reads SHUTDOWN_DELAY_MS in milliseconds, 0 (none) by default", () => {
    expect(loadConfig({ SHUTDOWN_DELAY_MS: "5000" }).shutdownDelayMs).toBe(5000);
    expect(loadConfig({}).shutdownDelayMs).toBe(0);
  });

  it.each([
    [{ WORKERS: "0" }, /WORKERS="0": expected auto or a whole number of 1 or more/],
    [{ WORKERS: "-2" }, /WORKERS="-2": expected auto or a whole number of 1 or more/],
    [{ WORKERS: "1.5" }, /WORKERS="1.5": expected auto or a whole number of 1 or more/],
    [{ WORKERS: "all" }, /WORKERS="all": expected auto or a whole number of 1 or more/],
    [{ SHUTDOWN_DELAY_MS: "5s" }, /SHUTDOWN_DELAY_MS="5s": expected milliseconds/],
    [{ SHUTDOWN_DELAY_MS: "-1" }, /SHUTDOWN_DELAY_MS="-1": expected 0 or more/],
    [{ SHUTDOWN_DELAY_MS: "1.5" }, /SHUTDOWN_DELAY_MS="1.5": expected whole milliseconds/],
  ])("rejects %j naming the variable and what is allowed", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("loadConfig: API_TOKENS_FILE", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-config-"));
    writeFileSync(
      path.join(dir, "tokens"),
      "# one token per line\nalpha\n\n   beta   \r\ngamma\r\n  # indented comment\n",
    );
    writeFileSync(path.join(dir, "empty"), "\n# nothing here\n\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads one token per line, trimmed, skipping blank lines and # comments (CRLF too)", () => {
    expect(loadConfig({ API_TOKENS_FILE: path.join(dir, "tokens") }).apiTokens).toStrictEqual([
      "alpha",
      "beta",
      "gamma",
    ]);
  });

  it("adds the file's tokens after API_TOKENS, without duplicates", () => {
    expect(
      loadConfig({ API_TOKENS: "zeta,alpha", API_TOKENS_FILE: path.join(dir, "tokens") }).apiTokens,
    ).toStrictEqual(["zeta", "alpha", "beta", "gamma"]);
  });

  it("resolves a relative path against the working directory", () => {
    expect(loadConfig({ API_TOKENS_FILE: "tokens" }, dir).apiTokens).toStrictEqual([
      "alpha",
      "beta",
      "gamma",
    ]);
  });

  it("gives no tokens for a file of comments and blank lines", () => {
    expect(loadConfig({ API_TOKENS_FILE: path.join(dir, "empty") }).apiTokens).toStrictEqual([]);
  });

  it("treats an empty API_TOKENS_FILE as unset", () => {
    expect(loadConfig({ API_TOKENS_FILE: " " }).apiTokens).toStrictEqual([]);
  });

  it("stops start-up naming the variable and the path when the file is missing", () => {
    const missing = path.join(dir, "no-such-file");
    expect(() => loadConfig({ API_TOKENS_FILE: missing })).toThrow(ConfigError);
    expect(() => loadConfig({ API_TOKENS_FILE: missing })).toThrow(
      `API_TOKENS_FILE=${JSON.stringify(missing)}: cannot read it (no such file)`,
    );
  });

  it("stops start-up when the path is a folder", () => {
    expect(() => loadConfig({ API_TOKENS_FILE: dir })).toThrow(/API_TOKENS_FILE=.*cannot read it/);
  });
});

describe("rate limits, Redis and tracing", () => {
  it("reads RATE_LIMIT and AUTH_FAILURE_LIMIT as requests per window, or off", () => {
    expect(loadConfig({ RATE_LIMIT: "100/1m" }).rateLimit).toEqual({
      limit: 100,
      windowMs: 60_000,
      text: "100/1m",
    });
    expect(loadConfig({ RATE_LIMIT: "off" }).rateLimit).toBeUndefined();
    expect(loadConfig({ AUTH_FAILURE_LIMIT: "5/30s" }).authFailureLimit).toEqual({
      limit: 5,
      windowMs: 30_000,
      text: "5/30s",
    });
    expect(loadConfig({ AUTH_FAILURE_LIMIT: "off" }).authFailureLimit).toBeUndefined();
  });

  it.each([
    [{ RATE_LIMIT: "100" }, /RATE_LIMIT="100": expected requests per window such as "100\/1m"/],
    [{ RATE_LIMIT: "0/1m" }, /RATE_LIMIT="0\/1m": expected requests per window/],
    [
      { AUTH_FAILURE_LIMIT: "ten/1m" },
      /AUTH_FAILURE_LIMIT="ten\/1m": expected requests per window/,
    ],
    [
      { REDIS_URL: "localhost:6379" },
      /REDIS_URL="localhost:6379": expected a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      { REDIS_URL: "http://redis:6379" },
      /REDIS_URL="http:\/\/redis:6379": expected a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" },
      /OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": expected an http:\/\/ or https:\/\/ URL/,
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "nope" },
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="nope": expected an http/,
    ],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
      /OTEL_EXPORTER_OTLP_PROTOCOL="grpc": expected http\/protobuf or http\/json \(OTLP over gRPC is not supported/,
    ],
    [{ OTEL_TRACES_EXPORTER: "console" }, /OTEL_TRACES_EXPORTER="console": expected otlp or none/],
    [{ OTEL_SDK_DISABLED: "maybe" }, /OTEL_SDK_DISABLED="maybe": expected true or false/],
  ])("stops start-up naming a bad value: %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("keeps REDIS_URL as given", () => {
    expect(loadConfig({ REDIS_URL: "rediss://:secret@redis.internal:6380/2" }).redisUrl).toBe(
      "rediss://:secret@redis.internal:6380/2",
    );
  });

  it("traces only when an OTLP endpoint (or OTEL_TRACES_EXPORTER=otlp) asks for it, http/protobuf unless told otherwise", () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_SERVICE_NAME: "api" }).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).tracing).toEqual({
      protocol: "http/protobuf",
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      }).tracing,
    ).toEqual({ protocol: "http/json" });
    expect(
      loadConfig({
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
      }).tracing,
    ).toEqual({ protocol: "http/protobuf" });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_SDK_DISABLED: "true",
      }).tracing,
    ).toBeUndefined();
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_TRACES_EXPORTER: "none",
      }).tracing,
    ).toBeUndefined();
  });
});

describe("loadConfig: WebSockets", () => {
  it("reads WEBSOCKETS=on, the origins normalised and every limit", () => {
    const { websockets } = loadConfig({
      WEBSOCKETS: "on",
      ALLOWED_WS_ORIGINS: "https://app.example.com/, http://localhost:3001",
      WS_MAX_MESSAGE_SIZE: "1kb",
      WS_MAX_CONNECTIONS: "5",
      WS_PING_INTERVAL_MS: "0",
      WS_MESSAGE_RATE: "off",
      WS_MAX_BUFFERED: "2kb",
    });
    expect(websockets).toEqual({
      enabled: true,
      allowedOrigins: ["https://app.example.com", "http://localhost:3001"],
      maxMessageBytes: 1024,
      maxConnections: 5,
      pingIntervalMs: 0,
      messageRate: undefined,
      maxBufferedBytes: 2048,
    });
  });

  it.each([
    [{ WEBSOCKETS: "maybe" }, /WEBSOCKETS="maybe": expected on or off/],
    [{ ALLOWED_WS_ORIGINS: "https://a.example/path" }, /ALLOWED_WS_ORIGINS=.*no path/],
    [{ ALLOWED_WS_ORIGINS: "ftp://a.example" }, /ALLOWED_WS_ORIGINS=.*expected origins/],
    [{ WS_MAX_CONNECTIONS: "0" }, /WS_MAX_CONNECTIONS="0": expected 1 or more/],
    [{ WS_MESSAGE_RATE: "fast" }, /WS_MESSAGE_RATE="fast": expected requests per window/],
  ])("rejects %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
