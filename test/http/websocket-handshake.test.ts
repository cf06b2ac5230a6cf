import { readWebSocketOrigins } from "../../src/http/websocket-handshake";

// next.config's `experimental.webSocketRouteHandlers` (vercel/next.js#95574): `true`, or an
// object whose `allowedOrigins` are exact origins, compared exactly with the browser's `Origin`.

describe("readWebSocketOrigins", () => {
  it.each([
    ["no experimental key", undefined],
    ["no webSocketRouteHandlers", { ppr: true }],
    ["webSocketRouteHandlers: true", { webSocketRouteHandlers: true }],
    ["an object without allowedOrigins", { webSocketRouteHandlers: {} }],
  ])("allows no other origin for %s", (_name, experimental) => {
    expect(readWebSocketOrigins(experimental)).toEqual({ origins: [], problems: [] });
  });

  it("reads the exact origins listed", () => {
    const experimental = {
      webSocketRouteHandlers: {
        allowedOrigins: ["https://app.example.com", "http://localhost:3001"],
      },
    };
    expect(readWebSocketOrigins(experimental)).toEqual({
      origins: ["https://app.example.com", "http://localhost:3001"],
      problems: [],
    });
  });

  it.each([
    ["a trailing slash", "https://app.example.com/"],
    ["a path", "https://app.example.com/chat"],
    ["a wildcard", "https://*.example.com"],
    ["another scheme", "ftp://app.example.com"],
    ["a default port written out", "https://app.example.com:443"],
    ["not a URL", "app.example.com"],
    ["not a string", 42],
  ])("names an entry with %s as a problem: it could never match", (_name, entry) => {
    const { origins, problems } = readWebSocketOrigins({
      webSocketRouteHandlers: { allowedOrigins: ["https://ok.example", entry] },
    });
    expect(origins).toEqual(["https://ok.example"]);
    expect(problems).toEqual([
      expect.stringContaining(
        `experimental.webSocketRouteHandlers.allowedOrigins: ${JSON.stringify(entry)} is not an exact origin`,
      ),
    ]);
  });

  it("asks for an array", () => {
    expect(
      readWebSocketOrigins({ webSocketRouteHandlers: { allowedOrigins: "https://a.example" } }),
    ).toEqual({
      origins: [],
      problems: ["experimental.webSocketRouteHandlers.allowedOrigins must be an array"],
    });
  });
});
