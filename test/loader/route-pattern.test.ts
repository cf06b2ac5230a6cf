import { InvalidRouteError } from "../../src/errors";
import { formatPattern, toSegments, type Segment } from "../../src/loader/route-pattern";

const pattern = (file: string, prefix?: string): string => formatPattern(toSegments(file), prefix);

describe("toSegments + formatPattern", () => {
  it.each([
    ["hello.ts", "/api/hello"],
    ["a/b.ts", "/api/a/b"],
    ["index.ts", "/api"],
    ["users/index.ts", "/api/users"],
    ["index/index.ts", "/api/index"],
    ["index/a.ts", "/api/index/a"],
    ["post/[pid].ts", "/api/post/[pid]"],
    ["post/[...slug].ts", "/api/post/[...slug]"],
    ["post/[[...slug]].ts", "/api/post/[[...slug]]"],
    ["[post]/comments.ts", "/api/[post]/comments"],
    ["[id]/index.ts", "/api/[id]"],
    ["[...slug]/index.ts", "/api/[...slug]"],
    ["$city.ts", "/api/$city"],
    ["dash/[hello-world].ts", "/api/dash/[hello-world]"],
    ["Hello.ts", "/api/Hello"],
    ["hello.json.ts", "/api/hello.json"],
    ["hello.mjs", "/api/hello"],
    ["hello.cjs", "/api/hello"],
    ["hello.js", "/api/hello"],
    ["hello.mts", "/api/hello"],
    ["hello.cts", "/api/hello"],
  ])("maps %s to %s", (file, expected) => {
    expect(pattern(file)).toBe(expected);
  });

  it.each<[string, Segment[]]>([
    ["index.ts", []],
    ["hello.json.ts", [{ kind: "static", value: "hello.json" }]],
    [
      "post/[pid].ts",
      [
        { kind: "static", value: "post" },
        { kind: "dynamic", name: "pid" },
      ],
    ],
    ["[...slug].js", [{ kind: "catchAll", name: "slug" }]],
    ["[[...slug]].mjs", [{ kind: "optionalCatchAll", name: "slug" }]],
    ["[hello-world].ts", [{ kind: "dynamic", name: "hello-world" }]],
    ["$city.ts", [{ kind: "static", value: "$city" }]],
  ])("reads %s as its segments", (file, segments) => {
    expect(toSegments(file)).toEqual(segments);
  });

  it("puts the prefix in front of every pattern", () => {
    expect(pattern("users/[id].ts", "/v2")).toBe("/v2/users/[id]");
    expect(pattern("index.ts", "/v2")).toBe("/v2");
  });

  it.each([
    ["[id.ts", "[id"],
    ["a]b.ts", "a]b"],
    ["post/x[id].ts", "x[id]"],
    ["[].ts", "[]"],
    ["[[id]].ts", "[[id]]"],
    ["[...].ts", "[...]"],
    ["[[...slug]/a.ts", "[[...slug]"],
  ])("refuses the malformed name %s, quoting the bad part and the valid forms", (file, part) => {
    expect(() => toSegments(file)).toThrow(InvalidRouteError);
    expect(() => toSegments(file)).toThrow(
      `"${part}" is not a valid segment: use [name], [...name] or [[...name]]`,
    );
  });

  it.each(["[id]/[id].ts", "[slug]/[...slug].ts", "[a]/b/[[...a]].ts"])(
    "refuses %s, which uses one param name twice",
    (file) => {
      expect(() => toSegments(file)).toThrow(InvalidRouteError);
      expect(() => toSegments(file)).toThrow(
        /param name "(id|slug|a)" is used twice in one path: rename one of them/,
      );
    },
  );

  it.each(["[...a]/b.ts", "[[...a]]/b.ts", "[...a]/[b].ts"])(
    "refuses %s, where a catch-all is not last",
    (file) => {
      expect(() => toSegments(file)).toThrow(InvalidRouteError);
      expect(() => toSegments(file)).toThrow(
        "a catch-all must be the last part of the URL: nothing may sit below it",
      );
    },
  );
});
