import { toSegments } from "../../src/loader/route-pattern";
import { RouteTree, type Params } from "../../src/router/route-tree";

interface TestRoute {
  readonly file: string;
  readonly segments: ReturnType<typeof toSegments>;
}

const treeOf = (files: readonly string[]) =>
  new RouteTree<TestRoute>(files.map((file) => ({ file, segments: toSegments(file) })));

/** What a path resolves to: the file and its params, or undefined. */
function resolve(
  tree: RouteTree<TestRoute>,
  path: string,
): [string, Params | undefined] | undefined {
  const segments = path === "" ? [] : path.split("/");
  const match = tree.match(segments);
  return match && [match.route.file, match.params];
}

// The tree of test/fixtures/routing-precedence, Next's examples side by side.
const precedence = treeOf([
  "index.ts",
  "hello.ts",
  "$city.ts",
  "[post].ts",
  "[post]/comments.ts",
  "[post]/[comment].ts",
  "dash/[hello-world].ts",
  "blog/about.ts",
  "blog/[post]/comment/[id].ts",
  "post/create.ts",
  "post/[pid].ts",
  "post/[...slug].ts",
  "v1/post/[...slug].ts",
  "users/index.ts",
  "users/[...slug].ts",
  "opt/[[...slug]].ts",
]);

describe("RouteTree.match", () => {
  it.each<[string, string, Params | undefined]>([
    ["", "index.ts", undefined],
    ["hello", "hello.ts", undefined],
    ["$city", "$city.ts", undefined],
    ["post-1", "[post].ts", { post: "post-1" }],
    ["index", "[post].ts", { post: "index" }],
    ["hello.json", "[post].ts", { post: "hello.json" }],
    ["Hello", "[post].ts", { post: "Hello" }],
    ["post-1/comments", "[post]/comments.ts", { post: "post-1" }],
    ["post-1/other", "[post]/[comment].ts", { post: "post-1", comment: "other" }],
    ["dash/x", "dash/[hello-world].ts", { "hello-world": "x" }],
    ["blog/about", "blog/about.ts", undefined],
    ["blog/x", "[post]/[comment].ts", { post: "blog", comment: "x" }],
    ["blog", "[post].ts", { post: "blog" }],
    ["blog/543/comment/7", "blog/[post]/comment/[id].ts", { post: "543", id: "7" }],
    ["post/create", "post/create.ts", undefined],
    ["post/abc", "post/[pid].ts", { pid: "abc" }],
    ["post/:42", "post/[pid].ts", { pid: ":42" }],
    ["post/a/b/c", "post/[...slug].ts", { slug: ["a", "b", "c"] }],
    ["post/create/x", "post/[...slug].ts", { slug: ["create", "x"] }],
    ["post", "[post].ts", { post: "post" }],
    ["v1/post", "[post]/[comment].ts", { post: "v1", comment: "post" }],
    ["v1/post/:42", "v1/post/[...slug].ts", { slug: [":42"] }],
    ["users", "users/index.ts", undefined],
    ["users/1", "users/[...slug].ts", { slug: ["1"] }],
    ["users/index", "users/[...slug].ts", { slug: ["index"] }],
    ["users/a/b", "users/[...slug].ts", { slug: ["a", "b"] }],
    ["opt", "opt/[[...slug]].ts", undefined],
    ["opt/a", "opt/[[...slug]].ts", { slug: ["a"] }],
    ["opt/a/b", "opt/[[...slug]].ts", { slug: ["a", "b"] }],
  ])("serves /%s with %s and params %j", (path, file, params) => {
    expect(resolve(precedence, path)).toEqual([file, params]);
  });

  it.each(["blog/543/comment", "not/unexisting/page/really", "dash/x/y", "HELLO/x/y"])(
    "matches nothing for /%s",
    (path) => {
      expect(resolve(precedence, path)).toBeUndefined();
    },
  );

  it("leaves an optional catch-all's param absent on its folder, not [] or undefined", () => {
    const match = treeOf(["opt/[[...slug]].ts", "[id]/[[...rest]].ts"]).match(["x"]);
    expect(match?.route.file).toBe("[id]/[[...rest]].ts");
    expect(match?.params).toEqual({ id: "x" });
    expect(Object.keys(match?.params ?? {})).toEqual(["id"]);
  });

  it("never lets a catch-all match its own folder", () => {
    const tree = treeOf(["docs/[...slug].ts", "[...all].ts"]);
    expect(resolve(tree, "docs")).toEqual(["[...all].ts", { all: ["docs"] }]);
    expect(resolve(treeOf(["docs/[...slug].ts"]), "docs")).toBeUndefined();
    expect(resolve(treeOf(["[...all].ts"]), "")).toBeUndefined();
  });

  it("serves the prefix itself with a top-level optional catch-all", () => {
    expect(resolve(treeOf(["[[...all]].ts"]), "")).toEqual(["[[...all]].ts", undefined]);
  });

  it("keeps a segment holding a decoded / as one catch-all element", () => {
    expect(treeOf(["[...slug].ts"]).match(["a/b", "c"])?.params).toEqual({ slug: ["a/b", "c"] });
  });

  it("backtracks out of a static folder into a dynamic one, then into a catch-all", () => {
    const tree = treeOf(["a/b/c.ts", "a/[x]/d.ts", "a/[...rest].ts"]);
    expect(resolve(tree, "a/b/c")).toEqual(["a/b/c.ts", undefined]);
    expect(resolve(tree, "a/b/d")).toEqual(["a/[x]/d.ts", { x: "b" }]);
    expect(resolve(tree, "a/b/e")).toEqual(["a/[...rest].ts", { rest: ["b", "e"] }]);
  });

  it("drops the params of an abandoned branch", () => {
    const tree = treeOf(["[a]/[b]/x.ts", "[a]/[...rest].ts"]);
    expect(resolve(tree, "1/2/y")).toEqual(["[a]/[...rest].ts", { a: "1", rest: ["2", "y"] }]);
  });

  it("carries nothing from one match into the next", () => {
    const tree = treeOf(["[id].ts", "static.ts"]);
    expect(resolve(tree, "7")).toEqual(["[id].ts", { id: "7" }]);
    expect(resolve(tree, "static")).toEqual(["static.ts", undefined]);
    expect(resolve(tree, "a/b")).toBeUndefined();
    expect(resolve(tree, "8")).toEqual(["[id].ts", { id: "8" }]);
  });

  it("is case-sensitive", () => {
    const tree = treeOf(["hello.ts"]);
    expect(resolve(tree, "Hello")).toBeUndefined();
    expect(resolve(tree, "hello")).toEqual(["hello.ts", undefined]);
  });

  it("matches nothing in an empty tree", () => {
    expect(resolve(treeOf([]), "")).toBeUndefined();
    expect(resolve(treeOf([]), "a")).toBeUndefined();
  });
});
