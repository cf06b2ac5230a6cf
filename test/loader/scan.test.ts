import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { scanRouteFiles } from "../../src/loader/scan";
import { fixture } from "../helpers/app";

let root: string;

/** Writes each file (relative path) under a fresh temp folder; folders are created on the way. */
async function tree(files: readonly string[]): Promise<string> {
  for (const file of files) {
    await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await fs.writeFile(
      path.join(root, file),
      "throw new Error('scanning must not import anything');\n",
    );
  }
  return root;
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "nextpress-scan-"));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe("scanRouteFiles", () => {
  it("finds every script extension, in nested folders, as /-separated relative paths", async () => {
    const files = [
      "a.ts",
      "b.mts",
      "c.cts",
      "d.js",
      "e.mjs",
      "f.cjs",
      "users/[id].ts",
      "deep/er/still/index.js",
    ];
    expect(await scanRouteFiles(await tree(files))).toEqual([...files].sort());
  });

  it("returns the files sorted, whatever order they were created in", async () => {
    await tree(["z.ts", "b/a.ts", "a.ts", "B.ts", "[id].ts"]);
    expect(await scanRouteFiles(root)).toEqual(["B.ts", "[id].ts", "a.ts", "b/a.ts", "z.ts"]);
  });

  it.each([
    ["_-prefixed files", "_shared.ts"],
    ["files in _-prefixed folders", "_lib/helper.ts"],
    ["declaration files", "types.d.ts"],
    ["ESM and CommonJS declaration files", "types.d.mts"],
    ["declaration files in subfolders", "users/types.d.cts"],
    ["test files", "hello.test.ts"],
    ["spec files", "hello.spec.js"],
    ["test files in subfolders", "users/[id].test.mjs"],
    ["non-script files", "README.md"],
    ["package.json", "package.json"],
    ["JSON data", "data.json"],
    ["files in dot folders", ".hidden/secret.ts"],
    ["dot files", ".eslintrc.js"],
    ["node_modules", "node_modules/pkg/index.js"],
    ["nested node_modules", "users/node_modules/pkg/index.js"],
    ["TSX, which is not a route extension", "page.tsx"],
  ])("never returns %s (%s)", async (_what, file) => {
    await tree([file, "hello.ts"]);
    expect(await scanRouteFiles(root)).toEqual(["hello.ts"]);
  });

  it("keeps a name that only contains test or d. inside it", async () => {
    await tree(["latest.ts", "contest/index.ts", "d.ts", "odd.ts"]);
    expect(await scanRouteFiles(root)).toEqual(["contest/index.ts", "d.ts", "latest.ts", "odd.ts"]);
  });

  it("returns nothing for an empty folder", async () => {
    expect(await scanRouteFiles(root)).toEqual([]);
  });

  it("reads a fixture tree without importing any of it", async () => {
    expect(await scanRouteFiles(fixture("loader-private"))).toEqual(["ok.ts"]);
  });

  it("follows a linked folder, and serves both names when two links point at one folder", async () => {
    await tree(["v1/users.ts"]);
    await fs.symlink(path.join(root, "v1"), path.join(root, "a-link"), "dir");
    await fs.symlink(path.join(root, "v1"), path.join(root, "z-link"), "dir");
    expect(await scanRouteFiles(root)).toEqual([
      "a-link/users.ts",
      "v1/users.ts",
      "z-link/users.ts",
    ]);
  });

  it("stops at a link that loops back to a folder above it", async () => {
    await tree(["v1/users.ts"]);
    await fs.symlink(root, path.join(root, "v1", "loop"), "dir");
    expect(await scanRouteFiles(root)).toEqual(["v1/users.ts"]);
  });

  it("keeps a dangling link to a script as a file, so that loading it names it", async () => {
    await tree(["hello.ts"]);
    await fs.symlink(path.join(root, "missing.ts"), path.join(root, "gone.ts"));
    expect(await scanRouteFiles(root)).toEqual(["gone.ts", "hello.ts"]);
  });
});
