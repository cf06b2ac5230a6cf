import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_ROUTES_DIR, loadConfig } from "../src/config";
import { ConfigError } from "../src/errors";

describe("loadConfig", () => {
  it("has Next-like defaults when nothing is set", () => {
    expect(loadConfig({}, "/srv")).toEqual({
      port: 3000,
      host: "0.0.0.0",
      routesDir: DEFAULT_ROUTES_DIR,
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
    });
  });

  it("defaults ROUTES_DIR to the project's routes/ folder", () => {
    expect(DEFAULT_ROUTES_DIR).toBe(path.resolve(__dirname, "..", "routes"));
  });

  it("resolves a relative ROUTES_DIR against the working directory and keeps an absolute one", () => {
    expect(loadConfig({ ROUTES_DIR: "api/routes" }, "/srv/app").routesDir).toBe("/srv/app/api/routes");
    expect(loadConfig({ ROUTES_DIR: "/opt/routes" }, "/srv/app").routesDir).toBe("/opt/routes");
  });

  it("reads every variable", () => {
    const config = loadConfig({ PORT: "8080", HOST: "127.0.0.1", LOG_LEVEL: "silent", API_TOKENS: " a , b,,c ", BODY_LIMIT: "5mb" });
    expect(config).toMatchObject({ port: 8080, host: "127.0.0.1", logLevel: "silent", apiTokens: ["a", "b", "c"], bodyLimit: "5mb" });
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
    [{ LOG_LEVEL: "verbose" }, /LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent/],
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
});

describe("loadConfig: API_TOKENS_FILE", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-config-"));
    writeFileSync(path.join(dir, "tokens"), "# one token per line\nalpha\n\n   beta   \r\ngamma\r\n  # indented comment\n");
    writeFileSync(path.join(dir, "empty"), "\n# nothing here\n\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads one token per line, trimmed, skipping blank lines and # comments (CRLF too)", () => {
    expect(loadConfig({ API_TOKENS_FILE: path.join(dir, "tokens") }).apiTokens).toStrictEqual(["alpha", "beta", "gamma"]);
  });

  it("adds the file's tokens after API_TOKENS, without duplicates", () => {
    expect(loadConfig({ API_TOKENS: "zeta,alpha", API_TOKENS_FILE: path.join(dir, "tokens") }).apiTokens).toStrictEqual([
      "zeta",
      "alpha",
      "beta",
      "gamma",
    ]);
  });

  it("resolves a relative path against the working directory", () => {
    expect(loadConfig({ API_TOKENS_FILE: "tokens" }, dir).apiTokens).toStrictEqual(["alpha", "beta", "gamma"]);
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
    expect(() => loadConfig({ API_TOKENS_FILE: missing })).toThrow(`API_TOKENS_FILE=${JSON.stringify(missing)}: cannot read it (no such file)`);
  });

  it("stops start-up when the path is a folder", () => {
    expect(() => loadConfig({ API_TOKENS_FILE: dir })).toThrow(/API_TOKENS_FILE=.*cannot read it/);
  });
});
