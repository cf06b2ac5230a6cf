import { RouteLoadError } from "../../src/errors";
import { loadRoutes } from "../../src/loader/load-routes";
import { findRouteConflicts } from "../../src/loader/route-conflicts";
import { toSegments } from "../../src/loader/route-pattern";
import { buildTestApp, fixture } from "../helpers/app";

const conflictsOf = (files: readonly string[], prefix?: string) =>
  findRouteConflicts(
    files.map((file) => ({ file, segments: toSegments(file) })),
    prefix,
  );

async function loadError(scenario: string): Promise<RouteLoadError> {
  const error: unknown = await loadRoutes(fixture(scenario), { bodyLimit: "1mb" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RouteLoadError))
    throw new Error(`expected ${scenario} to fail with a RouteLoadError`);
  return error;
}

describe("findRouteConflicts", () => {
  it("names both files when two routes claim one path", () => {
    expect(conflictsOf(["users.ts", "users/index.ts"])).toEqual([
      {
        files: ["users.ts", "users/index.ts"],
        reason: expect.stringMatching(/^both serve \/api\/users: keep one of them/),
      },
    ]);
  });

  it.each([
    [["index.ts", "index.js"], "/api"],
    [["hello.ts", "hello.mjs"], "/api/hello"],
    [["[id].ts", "[id]/index.ts"], "/api/[id]"],
    [["a/[b]/c.ts", "a/[b]/c/index.js"], "/api/a/[b]/c"],
  ])("finds %j both serving %s", (files, url) => {
    expect(conflictsOf(files)).toEqual([
      { files, reason: expect.stringContaining(`both serve ${url}: keep one`) },
    ]);
  });

  it("names the sibling params when [id] and [slug] sit in one folder", () => {
    expect(conflictsOf(["[id].ts", "[slug].ts"])).toEqual([
      {
        files: ["[id].ts", "[slug].ts"],
        reason: "different param names for the same dynamic path ([id] vs [slug]): use one name",
      },
    ]);
  });

  it("finds differently named dynamic folders, naming every file under them", () => {
    expect(conflictsOf(["[id]/a.ts", "[id]/c.ts", "[slug]/b.ts"])).toEqual([
      {
        files: ["[id]/a.ts", "[id]/c.ts", "[slug]/b.ts"],
        reason: expect.stringContaining("([id] vs [slug]): use one name"),
      },
    ]);
  });

  it("reports a name clash once, and a true duplicate beside it on its own", () => {
    expect(conflictsOf(["[id].ts", "[id]/index.ts", "[slug].ts"])).toEqual([
      {
        files: ["[id].ts", "[id]/index.ts", "[slug].ts"],
        reason: expect.stringContaining("([id] vs [slug]): use one name"),
      },
      {
        files: ["[id].ts", "[id]/index.ts"],
        reason: expect.stringMatching(/^both serve \/api\/\[id\]: keep one/),
      },
    ]);
  });

  it("does not report files below differently named params a second time", () => {
    expect(conflictsOf(["[id]/a.ts", "[slug]/a.ts", "[id]/[...x].ts", "[slug]/[...x].ts"])).toEqual(
      [
        {
          files: ["[id]/a.ts", "[id]/[...x].ts", "[slug]/a.ts", "[slug]/[...x].ts"],
          reason: expect.stringContaining("([id] vs [slug]): use one name"),
        },
      ],
    );
  });

  it("refuses [...x] beside [[...x]]", () => {
    expect(conflictsOf(["[...x].ts", "[[...x]].ts"])).toEqual([
      {
        files: ["[...x].ts", "[[...x]].ts"],
        reason: "two catch-alls in one folder ([...x] vs [[...x]]): keep one of them",
      },
    ]);
  });

  it.each([
    [["a/[...x].ts", "a/[...y].ts"], "[...x] vs [...y]"],
    [["[[...x]].ts", "[[...y]].ts"], "[[...x]] vs [[...y]]"],
  ])("refuses two catch-alls with different names: %j", (files, names) => {
    expect(conflictsOf(files)).toEqual([
      { files, reason: expect.stringContaining(`(${names}): keep one`) },
    ]);
  });

  it.each([
    [["docs/[...slug].ts", "docs/[...slug]/index.ts"], "/api/docs/[...slug]"],
    [["[[...slug]].ts", "[[...slug]].js"], "/api/[[...slug]]"],
  ])("names both files when two catch-all files are one route: %j", (files, url) => {
    expect(conflictsOf(files)).toEqual([{ files, reason: `both serve ${url}: keep one of them` }]);
  });

  it.each([
    [["opt/index.ts", "opt/[[...slug]].ts"], "/api/opt"],
    [["opt.ts", "opt/[[...slug]].ts"], "/api/opt"],
    [["index.ts", "[[...all]].ts"], "/api"],
  ])("refuses an optional catch-all beside its folder's own route: %j", (files, url) => {
    expect(conflictsOf(files)).toEqual([
      {
        files,
        reason: `both serve ${url}, since an optional catch-all also matches its folder: remove the index route or use [...x]`,
      },
    ]);
  });

  it.each([
    ["users/index.ts + users/[...slug].ts", ["users/index.ts", "users/[...slug].ts"]],
    [
      "post/create.ts + post/[pid].ts + post/[...slug].ts",
      ["post/create.ts", "post/[pid].ts", "post/[...slug].ts"],
    ],
    ["[id] and a catch-all with another name", ["[id].ts", "[...rest].ts"]],
    ["[id] beside an optional catch-all", ["opt/[id].ts", "opt/[[...slug]].ts"]],
    ["one param name shared by folders", ["[id]/a.ts", "[id]/b.ts", "[id].ts"]],
    ["the same name in different folders", ["a/[id].ts", "b/[slug].ts"]],
    ["index/index.ts beside index.ts", ["index.ts", "index/index.ts"]],
  ])("accepts %s", (_what, files) => {
    expect(conflictsOf(files)).toEqual([]);
  });

  it("reports every conflict in a tree, not just the first", () => {
    const problems = conflictsOf([
      "users.ts",
      "users/index.ts",
      "[id].ts",
      "[slug].ts",
      "a/[...x].ts",
      "a/[[...x]].ts",
    ]);
    expect(problems.map((p) => p.files)).toEqual([
      ["[id].ts", "[slug].ts"],
      ["users.ts", "users/index.ts"],
      ["a/[...x].ts", "a/[[...x]].ts"],
    ]);
  });

  it("writes patterns with the prefix it is given", () => {
    expect(conflictsOf(["a.ts", "a/index.ts"], "/v2")[0].reason).toMatch(/^both serve \/v2\/a:/);
  });
});

describe("conflicting route files stop start-up", () => {
  it.each([
    [
      "loader-index-conflict",
      ["users.ts", "users/index.ts"],
      "both serve /api/users: keep one of them",
    ],
    ["loader-param-names", ["[id].ts", "[slug].ts"], "([id] vs [slug]): use one name"],
    ["loader-param-names-folders", ["[id]/a.ts", "[slug]/b.ts"], "([id] vs [slug]): use one name"],
    [
      "loader-catch-all-pair",
      ["[...x].ts", "[[...x]].ts"],
      "([...x] vs [[...x]]): keep one of them",
    ],
    [
      "loader-optional-index",
      ["opt/index.ts", "opt/[[...slug]].ts"],
      "both serve /api/opt, since an optional catch-all also matches its folder: remove the index route or use [...x]",
    ],
    [
      "loader-duplicate-catch-all",
      ["docs/[...slug].ts", "docs/[...slug]/index.ts"],
      "both serve /api/docs/[...slug]: keep one of them",
    ],
  ])("%s: loadRoutes names %j and says how to fix it", async (scenario, files, fix) => {
    const error = await loadError(scenario);
    expect(error.problems).toEqual([{ files, reason: expect.stringContaining(fix) }]);
    expect(error.message).toContain(`Cannot load the routes in ${fixture(scenario)}:`);
    expect(error.message).toContain(`  - ${files.join(" and ")}: `);
  });

  it.each([
    ["loader-index-conflict", /users\.ts and users\/index\.ts: both serve \/api\/users/],
    ["loader-param-names", /\[id\]\.ts and \[slug\]\.ts: different param names/],
    ["loader-param-names-folders", /\[id\]\/a\.ts and \[slug\]\/b\.ts: different param names/],
    ["loader-catch-all-pair", /\[\.\.\.x\]\.ts and \[\[\.\.\.x\]\]\.ts: two catch-alls/],
    [
      "loader-optional-index",
      /opt\/index\.ts and opt\/\[\[\.\.\.slug\]\]\.ts: both serve \/api\/opt/,
    ],
    [
      "loader-duplicate-catch-all",
      /docs\/\[\.\.\.slug\]\.ts and docs\/\[\.\.\.slug\]\/index\.ts: both serve/,
    ],
  ])("%s: createApp rejects, naming the files", async (scenario, message) => {
    await expect(buildTestApp(scenario)).rejects.toThrow(RouteLoadError);
    await expect(buildTestApp(scenario)).rejects.toThrow(message);
  });
});
