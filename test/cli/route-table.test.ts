import type { Route } from "../../src/loader/load-routes";
import {
  formatRouteTable,
  isProtected,
  toRouteRow,
  type RouteRow,
} from "../../src/cli/route-table";
import { loadRoutes } from "../../src/loader/load-routes";
import { fixture } from "../helpers/app";

let routes: Route[];
let rows: Record<string, RouteRow>;
beforeAll(async () => {
  routes = await loadRoutes(fixture("cli-routes"), { bodyLimit: "1mb" });
  rows = Object.fromEntries(routes.map((route) => [route.file, toRouteRow(route)]));
});

describe("toRouteRow", () => {
  it("describes a Next-style default export: any method, nothing in front of it", () => {
    expect(rows["hello.ts"]).toStrictEqual({
      pattern: "/api/hello",
      style: "pages",
      methods: ["ANY"],
      file: "hello.ts",
      middleware: [],
      protected: false,
      schema: false,
      bodyLimit: "1mb",
    });
  });

  it("lists a method-export route's methods exactly as its Allow header does", () => {
    expect(rows["admin/stats.ts"].methods).toStrictEqual(["GET", "HEAD", "OPTIONS"]);
    expect(rows["upload.ts"].methods).toStrictEqual(["PUT", "OPTIONS"]);
    expect(rows["writes-protected.ts"].methods).toStrictEqual(["GET", "HEAD", "DELETE", "OPTIONS"]);
  });

  it("lists the exported methods then ANY for a default export beside method exports", () => {
    expect(rows["mixed.ts"].methods).toStrictEqual(["POST", "ANY"]);
  });

  it("writes dynamic patterns in Next's syntax", () => {
    expect(rows["posts/[id].ts"].pattern).toBe("/api/posts/[id]");
  });

  it("names the middleware chain in run order: the folders', the file's", () => {
    expect(rows["admin/stats.ts"].middleware).toStrictEqual(["authenticate"]);
    expect(rows["custom-auth.ts"].middleware).toStrictEqual(["audit", "authenticate"]);
    expect(rows["posts/[id].ts"].middleware).toStrictEqual(["corsMiddleware"]);
  });

  it.each([
    ["admin/stats.ts", "a folder's _middleware", true],
    ["custom-auth.ts", "createAuthenticate({ verify }) in the file's middleware", true],
    ["wrapped.ts", "withMiddleware(authenticate, …)", true],
    ["writes-protected.ts", "authenticate on one method (defineRoute)", true],
    ["nested.ts", "authenticate in a withMiddleware inside a withMiddleware", true],
    ["defined-wrapped.ts", "defineRoute({ handler: withMiddleware(authenticate, …) })", true],
    ["admin/public.ts", "an opt-out from the folder's authenticate", false],
    ["posts/[id].ts", "cors only", false],
    ["hello.ts", "nothing", false],
  ])("%s (%s): protected is %s", (file, _why, expected) => {
    expect(rows[file].protected).toBe(expected);
    expect(isProtected(routes.find((r) => r.file === file) as Route)).toBe(expected);
  });

  it("shows what withMiddleware and a method's defineRoute run, after the chain", () => {
    expect(rows["wrapped.ts"].middleware).toStrictEqual(["authenticate"]);
    expect(rows["writes-protected.ts"].middleware).toStrictEqual(["authenticate"]);
    expect(rows["nested.ts"].middleware).toStrictEqual(["audit", "authenticate"]);
    expect(rows["defined-wrapped.ts"].middleware).toStrictEqual(["authenticate"]);
  });

  it("says whether any method has a schema", () => {
    expect(rows["users.ts"].schema).toBe(true);
    expect(rows["big.ts"].schema).toBe(true);
    expect(rows["hello.ts"].schema).toBe(false);
  });

  it("shows the body limit as written, or off", () => {
    expect(rows["big.ts"].bodyLimit).toBe("5mb");
    expect(rows["upload.ts"].bodyLimit).toBe("off");
    expect(rows["hello.ts"].bodyLimit).toBe("1mb");
  });

  it("is plain JSON data", () => {
    const all = Object.values(rows);
    expect(JSON.parse(JSON.stringify(all))).toStrictEqual(all);
  });
});

describe("the style of each route", () => {
  it("says pages, edge or app, with the methods and body limit each answers with", async () => {
    const webRoutes = await loadRoutes(fixture("web-app/routes"), {
      bodyLimit: "1mb",
      appDir: fixture("web-app/app"),
    });
    const byFile = Object.fromEntries(webRoutes.map((route) => [route.file, toRouteRow(route)]));
    expect(byFile["hello.ts"]).toMatchObject({
      style: "pages",
      methods: ["ANY"],
      bodyLimit: "1mb",
    });
    expect(byFile["edge.ts"]).toMatchObject({ style: "edge", methods: ["ANY"], bodyLimit: "1mb" });
    expect(byFile["app/methods/options/route.ts"]).toMatchObject({
      style: "app",
      pattern: "/methods/options",
      methods: ["DELETE", "GET", "HEAD", "OPTIONS", "POST"],
    });
    expect(byFile["app/protected/route.ts"]).toMatchObject({
      style: "app",
      protected: true,
      middleware: ["authenticate"],
    });
    expect(byFile["app/validated/route.ts"]).toMatchObject({ style: "app", schema: true });
  });
});

describe("formatRouteTable", () => {
  const row = (overrides: Partial<RouteRow>): RouteRow => ({
    pattern: "/api/hello",
    style: "pages",
    methods: ["ANY"],
    file: "hello.ts",
    middleware: [],
    protected: false,
    schema: false,
    bodyLimit: "1mb",
    ...overrides,
  });

  it("aligns the columns under a header, with - for no middleware and yes/no flags", () => {
    const table = formatRouteTable([
      row({}),
      row({
        pattern: "/api/admin/stats",
        style: "app",
        methods: ["GET", "HEAD", "OPTIONS"],
        file: "admin/stats.ts",
        middleware: ["cors", "authenticate"],
        protected: true,
        schema: true,
        bodyLimit: "off",
      }),
    ]);
    expect(table.split("\n")).toStrictEqual([
      "ROUTE             STYLE  METHODS           FILE            MIDDLEWARE           AUTH  SCHEMA  BODY LIMIT",
      "/api/hello        pages  ANY               hello.ts        -                    no    no      1mb",
      "/api/admin/stats  app    GET,HEAD,OPTIONS  admin/stats.ts  cors → authenticate  yes   yes     off",
    ]);
  });

  it("prints just the header for no routes", () => {
    expect(formatRouteTable([])).toBe(
      "ROUTE  STYLE  METHODS  FILE  MIDDLEWARE  AUTH  SCHEMA  BODY LIMIT",
    );
  });

  it("leaves no trailing spaces", () => {
    const table = formatRouteTable([
      row({ bodyLimit: "10mb" }),
      row({ pattern: "/api/a-much-longer-pattern" }),
    ]);
    for (const line of table.split("\n")) expect(line).toBe(line.trimEnd());
  });
});
