import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileMatchers, findProxyFile, loadProxyFile } from "../../src/loader/proxy-file";
import { matchConditions } from "../../src/loader/request-match";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-proxy-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, source = "module.exports = () => undefined;\n") => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), source);
};

describe("findProxyFile", () => {
  it.each([
    "proxy.ts",
    "middleware.ts",
    "proxy.mjs",
    "middleware.cjs",
    "src/proxy.ts",
    "src/middleware.js",
  ])("finds %s", (file) => {
    write(file);
    expect(findProxyFile(dir)).toBe(path.join(dir, file));
  });

  it("finds nothing in a project without one", () => {
    write("routes/hello.ts");
    expect(findProxyFile(dir)).toBeUndefined();
  });

  it.each([
    ["proxy.ts", "middleware.ts"],
    ["proxy.ts", "proxy.js"],
    ["middleware.ts", "src/middleware.ts"],
  ])("stops start-up naming both %s and %s", (first, second) => {
    write(first);
    write(second);
    expect(() => findProxyFile(dir)).toThrow(
      new RegExp(
        `${path.basename(first)}.* and .*${second.replace(".", "\\.")}: several proxy files: keep one`,
      ),
    );
  });
});

describe("loadProxyFile", () => {
  it.each([
    ["a default export", "module.exports = function anything() {};"],
    ["a named proxy export", "exports.proxy = function proxy() {};"],
    ["a named middleware export", "exports.middleware = function middleware() {};"],
  ])("takes %s", async (_name, source) => {
    write("proxy.js", source);
    expect(typeof (await loadProxyFile(dir))?.run).toBe("function");
  });

  it("refuses a file without a function, naming it", async () => {
    write("middleware.js", "exports.config = {};");
    await expect(loadProxyFile(dir)).rejects.toThrow(/middleware\.js: exports no function/);
  });

  it("refuses an invalid matcher, naming it", async () => {
    write("proxy.js", 'exports.default = () => {}; exports.config = { matcher: ["api/:path*"] };');
    await expect(loadProxyFile(dir)).rejects.toThrow(/proxy\.js: matcher "api\/:path\*"/);
  });
});

// Cases from Next's docs and its e2e tests (test/e2e/middleware-matcher/app/middleware.js,
// test/e2e/app-dir/proxy-*): Next 16.5 compiles `source` with path-to-regexp 6.
describe("matcher sources", () => {
  const selects = (source: string, pathname: string) => {
    const { matchers, problems } = compileMatchers(source);
    expect(problems).toEqual([]);
    return matchers?.[0].regexp.test(pathname) ?? false;
  };

  it.each([
    ["/api/:path*", "/api", true],
    ["/api/:path*", "/api/a/b", true],
    ["/api/:path*", "/apis", false],
    ["/about/:path", "/about/a", true],
    ["/about/:path", "/about/a/b", false],
    ["/about/:path+", "/about", false],
    ["/about/:path+", "/about/a/b", true],
    ["/((?!api|_next/static|favicon.ico).*)", "/dashboard", true],
    ["/((?!api|_next/static|favicon.ico).*)", "/api/users", false],
    // A negative lookahead excludes by prefix: /api/authors goes with /api/auth.
    ["/((?!api/auth).*)", "/api/authors", false],
    ["/((?!api/auth).*)", "/api/users", true],
    ["/:locale(en|fr)/about", "/fr/about", true],
    ["/:locale(en|fr)/about", "/de/about", false],
    ["/Api/Users", "/api/users", true],
    ["/", "/", true],
    ["/", "/a", false],
  ])("%s on %s → %s", (source, pathname, expected) => {
    expect(selects(source, pathname)).toBe(expected);
  });

  it("puts the basePath in front", () => {
    const { matchers } = compileMatchers(["/api/:path*"], "/docs");
    expect(matchers?.[0].regexp.test("/docs/api/x")).toBe(true);
    expect(matchers?.[0].regexp.test("/api/x")).toBe(false);
  });

  it.each([
    [{ source: "/x", locale: true }, /`locale` can only be false/],
    [
      { source: "/x", has: [{ type: "body", key: "a" }] },
      /`type` must be one of header, cookie, query, host/,
    ],
    [{ source: "/x", missing: [{ type: "header" }] }, /`key` must be a string/],
    ["/x/(", /not a valid path pattern/],
  ])("refuses %j", (entry, message) => {
    expect(compileMatchers(entry).problems.join()).toMatch(message);
  });
});

describe("has / missing (Next's matchHas)", () => {
  const input = {
    headers: {
      "x-auth": "Bearer abc",
      cookie: "session=s1; theme=dark",
      host: "api.example.com:8080",
    },
    query: new URLSearchParams("tab=a&tab=b&ref=home"),
  };

  it.each([
    [[{ type: "header", key: "X-Auth" }], { XAuth: "Bearer abc" }],
    [[{ type: "header", key: "x-auth", value: "Bearer (?<token>.*)" }], { token: "abc" }],
    [[{ type: "cookie", key: "session" }], { session: "s1" }],
    [[{ type: "query", key: "tab" }], { tab: "b" }],
    [[{ type: "host", value: "api\\.example\\.com" }], { host: "api.example.com" }],
    [[{ type: "header", key: "x-none" }], false],
    [[{ type: "cookie", key: "theme", value: "light" }], false],
  ] as const)("has %j → %j", (has, expected) => {
    expect(matchConditions(input, has)).toEqual(expected);
  });

  it("missing: false when the condition holds", () => {
    expect(matchConditions(input, [], [{ type: "cookie", key: "session" }])).toBe(false);
    expect(matchConditions(input, [], [{ type: "cookie", key: "other" }])).toEqual({});
  });
});
