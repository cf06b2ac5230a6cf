import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  failedFileMessage,
  findFailedFiles,
  summarizeReason,
  withoutStackFrames,
} from "../../src/dev/failed-files";
import { RouteLoadError } from "../../src/errors";

const STACKED = [
  "throws on import: Error: hello.ts is broken",
  "    at <anonymous> (/tmp/x/hello.ts:1:7)",
  "    at Module._compile (node:internal/modules/cjs/loader:1521:14)",
].join("\n");

const ESBUILD = [
  "throws on import: Error: Transform failed with 1 error:",
  "/tmp/x/other.ts:2:0: ERROR: Expected identifier but found end of file",
  "    at failureErrorWithLog (/work/node_modules/esbuild/lib/main.js:1752:15)",
].join("\n");

describe("messages of files that failed to load", () => {
  it("name the file and the reason, on one line, without stack frames", () => {
    expect(failedFileMessage({ file: "hello.ts", reason: STACKED })).toBe(
      "route file hello.ts failed to load: throws on import: Error: hello.ts is broken",
    );
    expect(summarizeReason(ESBUILD)).toBe(
      "throws on import: Error: Transform failed with 1 error: /tmp/x/other.ts:2:0: ERROR: Expected identifier but found end of file",
    );
  });

  it("keep every other line of a multi-line message", () => {
    expect(
      withoutStackFrames(
        `Cannot load the routes in /r:\n  - a.ts: ${STACKED}\n  - b.ts: no handler`,
      ),
    ).toBe(
      "Cannot load the routes in /r:\n  - a.ts: throws on import: Error: hello.ts is broken\n  - b.ts: no handler",
    );
  });
});

describe("findFailedFiles", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-failed-"));
    mkdirSync(path.join(dir, "users"));
    for (const file of ["a.ts", "b.ts", "users.ts", "users/index.ts", "[id.ts"])
      writeFileSync(path.join(dir, file), "");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const failure = (...problems: [string[], string][]) =>
    new RouteLoadError(
      dir,
      problems.map(([files, reason]) => ({ files, reason })),
    );

  it("lists every file that failed on its own, to be served as its error", () => {
    const error = failure(
      [["a.ts"], "throws on import: Error: a"],
      [["b.ts"], "exports no handler"],
    );
    expect(findFailedFiles(error, dir, [])).toEqual([
      { file: "a.ts", reason: "throws on import: Error: a" },
      { file: "b.ts", reason: "exports no handler" },
    ]);
  });

  it("gives up on the table when two files collide", () => {
    const error = failure(
      [["a.ts"], "throws"],
      [["users.ts", "users/index.ts"], "both serve /api/users"],
    );
    expect(findFailedFiles(error, dir, [])).toBeUndefined();
  });

  it("gives up when a file fails again although it was stubbed (a bad file name fails by its name alone)", () => {
    const error = failure([["[id.ts"], "unclosed ["]);
    expect(findFailedFiles(error, dir, [])).toEqual([{ file: "[id.ts", reason: "unclosed [" }]);
    expect(findFailedFiles(error, dir, [{ file: "[id.ts", reason: "unclosed [" }])).toBeUndefined();
  });

  it("gives up when the problem is not a file of the folder (no routes folder)", () => {
    const missing = path.join(dir, "missing");
    expect(
      findFailedFiles(
        new RouteLoadError(missing, [{ files: [missing], reason: "does not exist" }]),
        missing,
        [],
      ),
    ).toBeUndefined();
    expect(findFailedFiles(failure([["gone.ts"], "throws"]), dir, [])).toBeUndefined();
  });
});
