import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isNoise, watchTree, type TreeChange, type TreeWatcher } from "../../src/dev/watch-tree";

/** Polls until `predicate` holds; fails after `timeoutMs` with what was seen. */
async function waitFor(
  predicate: () => boolean,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out; seen: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("watchTree", () => {
  let dir: string;
  let watcher: TreeWatcher | undefined;
  let changes: TreeChange[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-watch-"));
    writeFileSync(path.join(dir, "a.ts"), "1");
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "b.ts"), "1");
    changes = [];
  });

  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () => (watcher = watchTree(dir, (change) => changes.push(change), 30));
  const seen = () => changes.flatMap((change) => change.files);
  const hasSeen = (file: string) => () => seen().includes(file);
  const show = () => JSON.stringify(seen());

  /** Each step's change is reported, then the next step starts from an empty list. */
  async function expectReported(file: string, step: () => void): Promise<void> {
    changes = [];
    step();
    await waitFor(hasSeen(file), show);
  }

  it("reports files changed, added, deleted and added again, at any depth", async () => {
    start();
    await expectReported("a.ts", () => writeFileSync(path.join(dir, "a.ts"), "2"));
    await expectReported("sub/b.ts", () => writeFileSync(path.join(dir, "sub", "b.ts"), "2"));
    await expectReported("c.ts", () => writeFileSync(path.join(dir, "c.ts"), "1"));
    await expectReported("c.ts", () => unlinkSync(path.join(dir, "c.ts")));
    await expectReported("c.ts", () => writeFileSync(path.join(dir, "c.ts"), "again"));
    await expectReported("c.ts", () => writeFileSync(path.join(dir, "c.ts"), "and changed"));
  });

  it("keeps reporting a file after an editor's atomic save replaced it", async () => {
    start();
    await expectReported("a.ts", () => {
      writeFileSync(path.join(dir, "a.tmp"), "3");
      renameSync(path.join(dir, "a.tmp"), path.join(dir, "a.ts"));
    });
    // Node 20's { recursive: true } watcher misses this one.
    await expectReported("a.ts", () => writeFileSync(path.join(dir, "a.ts"), "4"));
  });

  it("watches folders created after it started, and their files", async () => {
    start();
    await expectReported("new", () =>
      mkdirSync(path.join(dir, "new", "deeper"), { recursive: true }),
    );
    await expectReported("new/deeper/d.ts", () =>
      writeFileSync(path.join(dir, "new", "deeper", "d.ts"), "1"),
    );
    await expectReported("new/deeper/d.ts", () =>
      writeFileSync(path.join(dir, "new", "deeper", "d.ts"), "2"),
    );
  });

  it("reports a burst of events once, after the quiet time, with when it began", async () => {
    start();
    const before = Date.now();
    for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `burst-${i}.ts`), "x");
    await waitFor(() => changes.length > 0, show);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toHaveLength(1);
    expect(changes[0].files).toEqual([
      "burst-0.ts",
      "burst-1.ts",
      "burst-2.ts",
      "burst-3.ts",
      "burst-4.ts",
    ]);
    expect(changes[0].since).toBeGreaterThanOrEqual(before);
  });

  it("ignores editors' swap and backup files and dot-files", async () => {
    start();
    writeFileSync(path.join(dir, ".a.ts.swp"), "x");
    writeFileSync(path.join(dir, "a.ts~"), "x");
    writeFileSync(path.join(dir, ".env"), "x");
    await expectReported("a.ts", () => writeFileSync(path.join(dir, "a.ts"), "5"));
    expect(seen()).toEqual(["a.ts"]);
  });

  it("reports nothing once closed", async () => {
    start();
    watcher?.close();
    writeFileSync(path.join(dir, "a.ts"), "6");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toEqual([]);
  });

  it.each([
    [".a.ts.swp", true],
    ["a.ts~", true],
    [".git", true],
    ["node_modules", true],
    ["a.ts", false],
    ["2024", false],
    ["_lib", false],
  ])("isNoise(%s) is %s", (name, noise) => expect(isNoise(name)).toBe(noise));
});
