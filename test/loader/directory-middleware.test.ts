import type { Express } from "express";
import request from "supertest";
import { RouteLoadError } from "../../src/errors";
import {
  inheritedMiddleware,
  loadDirectoryMiddleware,
  type DirectoryMiddleware,
} from "../../src/loader/directory-middleware";
import { loadRoutes } from "../../src/loader/load-routes";
import { scanRoutesDir } from "../../src/loader/scan";
import { buildTestApp, fixture } from "../helpers/app";

const folder = (dir: string): DirectoryMiddleware => ({
  dir,
  file: dir ? `${dir}/_middleware.ts` : "_middleware.ts",
  middleware: [],
});

describe("inheritedMiddleware", () => {
  const byDir = new Map(["", "a", "a/b", "a/b/c", "ab", "x"].map((dir) => [dir, folder(dir)]));

  it.each([
    ["top.ts", [""]],
    ["a/route.ts", ["", "a"]],
    ["a/b/c/route.ts", ["", "a", "a/b", "a/b/c"]],
    ["a/b/c/d/e/route.ts", ["", "a", "a/b", "a/b/c"]],
    ["ab/route.ts", ["", "ab"]],
    ["y/route.ts", [""]],
  ])("%s gets the _middleware of %j, root first", (file, dirs) => {
    expect(inheritedMiddleware(file, byDir).map((d) => d.dir)).toStrictEqual(dirs);
  });

  it("skips folders without a _middleware", () => {
    const sparse = new Map([["a/b", folder("a/b")]]);
    expect(inheritedMiddleware("a/b/c/route.ts", sparse).map((d) => d.dir)).toStrictEqual(["a/b"]);
    expect(inheritedMiddleware("route.ts", new Map())).toStrictEqual([]);
  });
});

describe("scanning finds _middleware files", () => {
  it("lists each _middleware apart from the routes, and never as a route", async () => {
    const { routes, middleware } = await scanRoutesDir(fixture("mw-order"));
    expect(middleware).toStrictEqual(["_middleware.ts", "a/_middleware.ts", "a/b/_middleware.mjs"]);
    expect(routes).toStrictEqual([
      "a/b/c/leaf.ts",
      "a/b/deep.ts",
      "a/sibling.ts",
      "other/x.ts",
      "top.ts",
    ]);
  });
});

describe("loadDirectoryMiddleware", () => {
  const describeError = (error: unknown) => `throws on import: ${String(error)}`;

  it("loads every format: a function or an array, ESM, CommonJS and TypeScript", async () => {
    const dir = fixture("mw-formats");
    const { middleware: files } = await scanRoutesDir(dir);
    const { byDir, problems } = await loadDirectoryMiddleware(dir, files, describeError);
    expect(problems).toStrictEqual([]);
    const counts = Object.fromEntries(
      [...byDir].map(([key, value]) => [key, value.middleware.length]),
    );
    expect(counts).toStrictEqual({
      cjs: 2,
      "cjs-fn": 1,
      esm: 2,
      "esm-fn": 1,
      "esm-pkg": 1,
      ts: 2,
      "ts-fn": 1,
    });
    expect(byDir.get("esm")?.file).toBe("esm/_middleware.mjs");
  });

  it("keeps the folder's own list: changing the module's array later changes nothing", async () => {
    const dir = fixture("mw-order");
    const { byDir } = await loadDirectoryMiddleware(dir, ["a/_middleware.ts"], describeError);
    const loaded = byDir.get("a");
    const again = (
      await loadDirectoryMiddleware(dir, ["a/_middleware.ts"], describeError)
    ).byDir.get("a");
    expect(loaded?.middleware.map((fn) => fn.name)).toStrictEqual(["a1", "a2"]);
    loaded?.middleware.push(() => undefined);
    expect(again?.middleware.map((fn) => fn.name)).toStrictEqual(["a1", "a2"]);
  });
});

describe("a folder's _middleware over HTTP, in every module format", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("mw-formats"));
  });

  it.each([
    ["esm", ["esm-1", "esm-2"]],
    ["esm-fn", ["esm-fn"]],
    ["cjs", ["cjs-1", "cjs-2"]],
    ["cjs-fn", ["cjs-fn"]],
    ["ts", ["ts-1", "ts-2"]],
    ["ts-fn", ["ts-fn"]],
  ])("%s/_middleware runs before the route beside it, recording %j", async (dir, seen) => {
    const res = await request(app).get(`/api/${dir}/route`);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: `${dir}/route.ts`, seen });
  });

  it("esm-pkg/_middleware.js is ESM because of its package.json", async () => {
    expect((await request(app).get("/api/esm-pkg/route")).body).toStrictEqual({
      file: "esm-pkg/route.js",
      seen: ["esm-pkg"],
    });
  });
});

describe("start-up stops for an unusable _middleware, naming the file", () => {
  let error: RouteLoadError;
  beforeAll(async () => {
    const result: unknown = await loadRoutes(fixture("mw-bad-directory"), {
      bodyLimit: "1mb",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(result instanceof RouteLoadError))
      throw new Error("expected mw-bad-directory to fail with a RouteLoadError");
    error = result;
  });

  const NOTHING =
    "exports no middleware: `export default` a (req, res, next) function or an array of them";

  it.each([
    ["has only named exports", "named-only/_middleware.ts", NOTHING],
    ["default-exports an empty array", "empty/_middleware.ts", NOTHING],
    [
      "default-exports an array holding a string",
      "non-function/_middleware.ts",
      "the default export[1] is not a middleware function: export a (req, res, next) function or an array of them",
    ],
    ["default-exports an object", "object/_middleware.mjs", NOTHING],
    [
      "throws on import",
      "throws/_middleware.ts",
      expect.stringMatching(/^throws on import: Error: throws\/_middleware\.ts exploded on import/),
    ],
  ])("one that %s", (_case, file, reason) => {
    expect(error.problems).toContainEqual({ files: [file], reason });
    expect(error.message).toContain(`  - ${file}: `);
  });

  it("names both files when one folder has two _middleware files", () => {
    expect(error.problems).toContainEqual({
      files: ["two/_middleware.js", "two/_middleware.ts"],
      reason: "one folder has two _middleware files: keep one",
    });
    expect(error.message).toContain(
      "two/_middleware.js and two/_middleware.ts: one folder has two _middleware files: keep one",
    );
  });

  it("reports every problem at once and nothing about the good folder", () => {
    expect(error.problems).toHaveLength(6);
    expect(error.message).not.toContain("ok/");
    expect(error.message).not.toMatch(/ - [\w-]+\/route\.ts/);
  });
});
