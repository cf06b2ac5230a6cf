import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "./process";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Two guarantees, each tested alone: test/environment.js stops a file's processes when the file
// ends; test/global-teardown.js kills whatever is left when the run ends (a crashed worker's).
describe.each([
  [
    "when their file ends (test/environment.js)",
    { testEnvironment: "<rootDir>/test/environment.js" },
  ],
  [
    "when the run ends, if anything is left (test/global-teardown.js)",
    { testEnvironment: "node", globalTeardown: "<rootDir>/test/global-teardown.js" },
  ],
])("processes started by tests are stopped %s", (_when, guarantee) => {
  it("whether the tests fail or time out, and jest exits by itself", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-leak-"));
    const pidFile = path.join(dir, "pids");
    try {
      const config = {
        rootDir: PROJECT_ROOT,
        roots: ["<rootDir>/test/fixtures/leaky-suite"],
        testMatch: ["**/*.test.ts"],
        transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
        ...guarantee,
      };
      const started = Date.now();
      // No --forceExit: jest must find nothing left running.
      const run = spawnSync(
        process.execPath,
        ["node_modules/jest/bin/jest.js", "--ci", "--config", JSON.stringify(config)],
        {
          cwd: PROJECT_ROOT,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, LEAK_PID_FILE: pidFile },
          encoding: "utf8",
          timeout: 90_000,
        },
      );
      const output = `${run.stdout}${run.stderr}`;
      expect(run.error).toBeUndefined();
      expect(run.status).toBe(1);
      expect(output).toMatch(/Tests:\s+2 failed, 2 total/);
      expect(output).not.toMatch(/did not exit/);
      expect(Date.now() - started).toBeLessThan(60_000);
      const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
      expect(pids).toHaveLength(2);
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 100_000);
});
