import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../helpers/process";

// scripts/build.js compiles into dist.next-<pid> beside dist/ and renames it into place. A build
// that fails (here: a type error, as when `npm start` rebuilds an edited project) must leave
// nothing of its own behind: once, a folder per failed build piled up beside dist/.
describe("the build script", () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(os.tmpdir(), "nextpress-build-"));
    mkdirSync(path.join(project, "scripts"));
    mkdirSync(path.join(project, "src"));
    copyFileSync(
      path.join(PROJECT_ROOT, "scripts", "build.js"),
      path.join(project, "scripts", "build.js"),
    );
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
    writeFileSync(path.join(project, "package.json"), '{ "name": "broken", "private": true }\n');
    writeFileSync(
      path.join(project, "tsconfig.build.json"),
      '{ "compilerOptions": { "strict": true, "module": "commonjs", "types": [] }, "include": ["src"] }\n',
    );
    writeFileSync(path.join(project, "src", "broken.ts"), 'export const port: number = "3000";\n');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("fails on a type error and leaves neither a half-built folder nor a dist/", () => {
    const result = spawnSync(process.execPath, [path.join(project, "scripts", "build.js")], {
      cwd: project,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain("TS2322");
    expect(readdirSync(project).sort()).toEqual([
      "node_modules",
      "package.json",
      "scripts",
      "src",
      "tsconfig.build.json",
    ]);
  });
});
