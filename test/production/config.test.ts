import { loadConfig } from "../../src/config";
import { ConfigError } from "../../src/errors";

describe("loadConfig: production settings", () => {
  it.each([
    ["false", false],
    ["FALSE", false],
    ["true", true],
    ["1", 1],
    ["2", 2],
    ["loopback", ["loopback"]],
    ["10.0.0.0/8, 172.16.0.1", ["10.0.0.0/8", "172.16.0.1"]],
  ])(
    "reads TRUST_PROXY=%j as %j (a digit string becomes a hop count, never an address)",
    (value, expected) => {
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
    },
  );

  it("rejects a TRUST_PROXY that is neither a boolean, a count nor addresses", () => {
    expect(() => loadConfig({ TRUST_PROXY: "proxy.example.com" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: "proxy.example.com" })).toThrow(
      /TRUST_PROXY="proxy.example.com": expected false, true, a hop count/,
    );
  });

  it("reads CORS_ORIGINS as a list, empty meaning no CORS", () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: "https://a.example, https://b.example" }).corsOrigins,
    ).toEqual(["https://a.example", "https://b.example"]);
  });

  it("reads every server limit", () => {
    const { server } = loadConfig({
      HEADERS_TIMEOUT_MS: "2000",
      REQUEST_TIMEOUT_MS: "5000",
      KEEP_ALIVE_TIMEOUT_MS: "70000",
      MAX_HEADER_SIZE: "8192",
      MAX_REQUESTS_PER_SOCKET: "100",
      SHUTDOWN_TIMEOUT_MS: "3000",
    });
    expect(server).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      keepAliveTimeoutMs: 70000,
      maxHeaderSize: 8192,
      maxRequestsPerSocket: 100,
      shutdownTimeoutMs: 3000,
    });
  });

  it("keeps the keep-alive timeout longer than a typical proxy's 60 s idle timeout by default", () => {
    expect(loadConfig({}).server.keepAliveTimeoutMs).toBeGreaterThan(60_000);
  });

  it.each([
    [{ HEADERS_TIMEOUT_MS: "soon" }, /HEADERS_TIMEOUT_MS="soon": expected milliseconds/],
    [{ REQUEST_TIMEOUT_MS: "-1" }, /REQUEST_TIMEOUT_MS="-1": expected 0 or more/],
    [{ MAX_HEADER_SIZE: "10" }, /MAX_HEADER_SIZE="10": expected 1024 or more/],
    [
      { HEADERS_TIMEOUT_MS: "40000", REQUEST_TIMEOUT_MS: "30000" },
      /HEADERS_TIMEOUT_MS="40000": must not be longer than REQUEST_TIMEOUT_MS/,
    ],
    [{ LOG_FORMAT: "xml" }, /LOG_FORMAT="xml": expected one of json, pretty/],
  ])("rejects %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
