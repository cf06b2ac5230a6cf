import path from "node:path";
import request from "supertest";
import { RouteLoadError } from "../../src/errors";
import { scanAppDir } from "../../src/loader/app-scan";
import { loadRoutes } from "../../src/loader/load-routes";
import { toAppSegments, formatPattern } from "../../src/loader/route-pattern";
import { buildTestApp, fixture } from "../helpers/app";

const routesOf = (name: string) => path.join(name, "routes");

describe("app/ folder paths", () => {
  it.each([
    ["route.ts", "/"],
    ["api/users/route.ts", "/api/users"],
    ["api/users/[id]/route.ts", "/api/users/[id]"],
    ["(shop)/cart/route.ts", "/cart"],
    ["(shop)/(nested)/items/[...path]/route.ts", "/items/[...path]"],
    ["docs/[[...slug]]/route.ts", "/docs/[[...slug]]"],
    ["api/hello.json/route.ts", "/api/hello.json"],
  ])("%s → %s", (file, pattern) => {
    expect(formatPattern(toAppSegments(file), "")).toBe(pattern);
  });

  it("finds route files, skips private and dot folders, keeps _middleware files, and lists pages it will not serve", async () => {
    const scanned = await scanAppDir(fixture("web-app/app"));
    expect(scanned.routes).toContain("basic/(grouped)/endpoint/nested/route.ts");
    expect(scanned.routes).toContain("cjs/route.cjs");
    expect(scanned.routes.some((file) => file.startsWith("_lib/"))).toBe(false);
    expect(scanned.middleware).toEqual(["mw/_middleware.ts"]);
    expect(scanned.problems).toEqual([]);
  });
});

describe("start-up with app routes", () => {
  it("loads app routes beside the routes folder's, each with its kind, mount and pattern", async () => {
    const routes = await loadRoutes(fixture("web-app/routes"), {
      bodyLimit: "1mb",
      appDir: fixture("web-app/app"),
    });
    const byFile = new Map(routes.map((route) => [route.file, route]));
    expect(byFile.get("hello.ts")).toMatchObject({
      kind: "pages",
      mount: "/api",
      pattern: "/api/hello",
    });
    expect(byFile.get("edge.ts")).toMatchObject({
      kind: "edge",
      mount: "/api",
      pattern: "/api/edge",
    });
    expect(byFile.get("app/basic/[tenantID]/[...resource]/route.ts")).toMatchObject({
      kind: "app",
      mount: "",
      pattern: "/basic/[tenantID]/[...resource]",
    });
    expect(byFile.get("app/methods/options/route.ts")?.endpoints.allow).toBe(
      "DELETE, GET, HEAD, OPTIONS, POST",
    );
  });

  it("serves an app/ folder without a routes folder (which is only optional then)", async () => {
    const { app } = await buildTestApp(routesOf("web-only-app"));
    expect((await request(app).get("/ping")).body).toEqual({ pong: true });
    await expect(buildTestApp(routesOf("no-such-project"))).rejects.toThrow(
      /the routes folder does not exist/,
    );
  });

  it("names both files when a routes/ file and an app/ route claim one URL", async () => {
    await expect(buildTestApp(routesOf("web-conflict"))).rejects.toThrow(
      /users\.ts and app\/api\/users\/route\.ts: both serve \/api\/users/,
    );
  });

  it("names both files when two app routes claim one URL through route groups, or name one param two ways", async () => {
    const loading = buildTestApp(routesOf("web-conflict-app"));
    await expect(loading).rejects.toThrow(
      /app\/\(admin\)\/settings\/route\.ts and app\/\(shop\)\/settings\/route\.ts: both serve \/settings/,
    );
    await expect(buildTestApp(routesOf("web-conflict-app"))).rejects.toThrow(
      /app\/items\/\[id\]\/route\.ts and app\/items\/\[slug\]\/edit\/route\.ts: different param names for the same dynamic path \(\[id\] vs \[slug\]\)/,
    );
  });

  it.each([
    [
      "app/lowercase/route.ts",
      /Detected lowercase method 'get'\. Export the uppercase 'GET' method name to fix this error\./,
    ],
    [
      "app/default/route.ts",
      /Detected default export\. Export a named export for each HTTP method instead/,
    ],
    [
      "app/nothing/route.ts",
      /No HTTP methods exported\. Export a named export for each HTTP method/,
    ],
    [
      "app/config/route.ts",
      /`export const config` is the pages router's: a route handler uses segment config exports/,
    ],
    ["app/not-a-function/route.ts", /`export const POST` is not a function/],
    [
      "app/bad-segment/route.ts",
      /invalid segment config \(export const dynamic: .*; export const revalidate: /,
    ],
    [
      "app/@modal/slot/route.ts",
      /parallel \(@slot\) and intercepting \(\(\.\)x\) folders hold pages, not route handlers/,
    ],
    [
      "edge-methods.ts",
      /an edge route's default export answers every method: remove the method exports \(GET\)/,
    ],
    ["edge-no-default.ts", /The Edge Function must export a default function/],
  ])("stops start-up naming %s and the fix", async (file, message) => {
    let error: unknown;
    await buildTestApp(routesOf("web-bad-exports")).catch((e: unknown) => (error = e));
    expect(error).toBeInstanceOf(RouteLoadError);
    const problem = (error as RouteLoadError).problems.find((p) => p.files.includes(file));
    expect(problem?.reason).toMatch(message);
    // Every problem of the tree at once, the good route not among them.
    expect((error as RouteLoadError).problems.flatMap((p) => p.files)).not.toContain(
      "app/ok/route.ts",
    );
  });

  it("refuses an app route at a path nextpress answers itself", async () => {
    const loading = buildTestApp(routesOf("web-reserved"));
    await expect(loading).rejects.toThrow(
      /app\/healthz\/route\.ts: \/healthz is answered by nextpress itself/,
    );
    await expect(buildTestApp(routesOf("web-reserved"))).rejects.toThrow(
      /app\/docs\/page\/route\.ts: \/docs\/page is answered by nextpress itself/,
    );
  });
});

describe("the app in process (createTestApp, supertest)", () => {
  it("serves app routes and pages routes, Next's normalisation applying to every path", async () => {
    const { app } = await buildTestApp(routesOf("web-app"), { LOG_LEVEL: "silent" });
    expect((await request(app).get("/basic/endpoint")).text).toBe("hello, world");
    expect((await request(app).get("/api/hello")).body).toEqual({ style: "pages" });
    const slash = await request(app).get("/basic/endpoint/");
    expect(slash.status).toBe(308);
    expect(slash.headers.location).toBe("/basic/endpoint");
    expect((await request(app).get("/nothing/here")).body).toEqual({ message: "Not Found" });
    expect((await request(app).get("/healthz")).body).toEqual({ status: "ok" });
  });
});
