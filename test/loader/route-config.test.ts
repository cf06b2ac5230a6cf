import { InvalidRouteError } from "../../src/errors";
import { RESPONSE_LIMIT_DEFAULT, resolveRouteSettings } from "../../src/loader/route-config";

const SIZE = 'expected a size such as "1mb", "500kb" or a number of bytes';

describe("resolveRouteSettings", () => {
  it("parses bodies up to the default limit when a route has no config", () => {
    for (const config of [undefined, null, {}, { api: {} }]) {
      expect(resolveRouteSettings(config, "1mb")).toEqual({
        bodyParser: { limit: 1024 * 1024, limitText: "1mb" },
        responseLimit: RESPONSE_LIMIT_DEFAULT,
        externalResolver: false,
        inheritMiddleware: true,
      });
    }
  });

  it.each<[unknown, number, string]>([
    ["500kb", 500 * 1024, "500kb"],
    ["1.5MB", 1.5 * 1024 * 1024, "1.5MB"],
    ["2 mb", 2 * 1024 * 1024, "2 mb"],
    ["10b", 10, "10b"],
    ["1024", 1024, "1024"],
    [2048, 2048, "2048"],
    [0, 0, "0"],
  ])("reads sizeLimit %j as %d bytes", (sizeLimit, limit, limitText) => {
    expect(resolveRouteSettings({ api: { bodyParser: { sizeLimit } } }, "1mb").bodyParser).toEqual({
      limit,
      limitText,
    });
  });

  it("leaves the body alone with bodyParser: false, and reads responseLimit and externalResolver", () => {
    expect(
      resolveRouteSettings(
        { api: { bodyParser: false, responseLimit: "8mb", externalResolver: true } },
        "1mb",
      ),
    ).toEqual({
      bodyParser: false,
      responseLimit: 8 * 1024 * 1024,
      externalResolver: true,
      inheritMiddleware: true,
    });
    expect(resolveRouteSettings({ api: { responseLimit: false } }, "1mb").responseLimit).toBe(
      false,
    );
  });

  it("ignores keys it does not know, as Next does", () => {
    expect(() =>
      resolveRouteSettings({ maxDuration: 5, runtime: "nodejs", api: { other: 1 } }, "1mb"),
    ).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    [
      "a word",
      { api: { bodyParser: { sizeLimit: "lots" } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "an empty string",
      { api: { bodyParser: { sizeLimit: "" } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "a negative size",
      { api: { bodyParser: { sizeLimit: "-5mb" } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "a negative number",
      { api: { bodyParser: { sizeLimit: -1 } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "a fraction of a byte",
      { api: { bodyParser: { sizeLimit: 1.5 } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "an unknown unit bytes would read as 5",
      { api: { bodyParser: { sizeLimit: "5 megabytes" } } },
      `config.api.bodyParser.sizeLimit: ${SIZE}`,
    ],
    [
      "a bodyParser string",
      { api: { bodyParser: "yes" } },
      "config.api.bodyParser: expected true, false or { sizeLimit }",
    ],
    [
      "a responseLimit word",
      { api: { responseLimit: "lots" } },
      `config.api.responseLimit: ${SIZE}`,
    ],
    [
      "a responseLimit object",
      { api: { responseLimit: {} } },
      'config.api.responseLimit: expected true, false or a size such as "4mb"',
    ],
    [
      "a non-boolean externalResolver",
      { api: { externalResolver: 1 } },
      "config.api.externalResolver: ",
    ],
    ["a config that is not an object", "x", "(config: "],
  ])("refuses %s, naming the key", (_what, config, message) => {
    expect(() => resolveRouteSettings(config, "1mb")).toThrow(InvalidRouteError);
    expect(() => resolveRouteSettings(config, "1mb")).toThrow(message);
  });

  it("lists every bad key in one message", () => {
    expect(() =>
      resolveRouteSettings(
        { api: { bodyParser: { sizeLimit: "lots" }, responseLimit: "lots" } },
        "1mb",
      ),
    ).toThrow(
      /^invalid `config` export \(config\.api\.bodyParser\.sizeLimit: .*; config\.api\.responseLimit: .*\)$/,
    );
  });
});
