import childProcess from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// CommonJS, read by jest.config.js before any transform.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tiers = require("./tiers.js") as {
  SYSTEM_FILES: string[];
  UNIT_FILES: string[];
  needsSystem: (text: string) => boolean;
  listTestFiles: () => string[];
  splitTiers: () => { unit: string[]; system: string[] };
};

const ROOT = path.resolve(__dirname, "..");

describe("test tiers (test/tiers.js)", () => {
  it.each([
    ['const server = spawnProcess("node", [MAIN], {});', true],
    ['server = await startHostileServer("hostile-body");', true],
    ["const nginx = await startNginx(port);", true],
    ["const pg = await startPostgres();", true],
    ["const redis = await startRedis();", true],
    ['import { execFileSync } from "node:child_process";', true],
    ['const { spawn } = require("child_process");', true],
    ['import { chromium } from "playwright-core";', true],
    ['const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");', true],
    ['const { app } = await buildTestApp("next-api");', false],
    ['import { PROJECT_ROOT } from "../helpers/process";', false],
    ['const SWAGGER_UI = require.resolve("swagger-ui-dist/package.json");', false],
  ])("%s → system: %s", (text, system) => expect(tiers.needsSystem(text)).toBe(system));

  it("puts every test file in exactly one tier", () => {
    const { unit, system } = tiers.splitTiers();
    expect([...unit, ...system].sort()).toEqual(tiers.listTestFiles());
    expect(unit.filter((file) => system.includes(file))).toEqual([]);
    expect(unit).toContain("test/router/route-tree.test.ts");
    expect(system).toContain("test/production/reverse-proxy.test.ts");
  });

  it("lists only files that exist", () => {
    for (const file of [...tiers.SYSTEM_FILES, ...tiers.UNIT_FILES])
      expect({ file, exists: existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
  });

  it("stops a unit test that starts a process, naming the file and the fix", () => {
    expect(() => childProcess.spawn(process.execPath, ["-e", ""])).toThrow(
      /tiers\.test\.ts starts a process, so it belongs to the system tier.*test\/tiers\.js.*child_process\.spawn/,
    );
    expect(() => childProcess.execFileSync(process.execPath, ["-e", ""])).toThrow(
      /child_process\.execFileSync/,
    );
  });
});
