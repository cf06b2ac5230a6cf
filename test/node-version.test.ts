import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isSupportedNode, MINIMUM_NODE, unsupportedNodeMessage } from "../src/node-version";
import { PROJECT_ROOT } from "./helpers/process";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run before any build
const scripts = require("../scripts/node-version.js") as {
  MINIMUM: number[];
  isSupported(version: string): boolean;
};

describe("the Node.js floor", () => {
  it("is one version: package.json's engines, src/node-version.ts and scripts/node-version.js", () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.join(".")}`);
    expect(scripts.MINIMUM).toEqual([...MINIMUM_NODE]);
  });

  it.each([
    ["20.19.0", false],
    ["22.13.1", false],
    ["22.15.9", false],
    ["22.16.0", true],
    ["22.23.5", true],
    ["23.0.0", true],
    ["24.22.3", true],
  ])("%s supported: %s", (version, supported) => {
    expect(isSupportedNode(version)).toBe(supported);
    expect(scripts.isSupported(version)).toBe(supported);
  });

  it("refuses an older Node in one line that names the fix", () => {
    expect(unsupportedNodeMessage("20.19.0")).toBe(
      "nextpress needs Node.js 22.16.0 or later (this is 20.19.0): install Node 24 (or 22), e.g. `nvm install 24`",
    );
    expect(unsupportedNodeMessage(process.versions.node)).toBeUndefined();
  });

  it("npm start's CLI (scripts/cli.js) refuses it before building anything", () => {
    const script = `Object.defineProperty(process.versions, "node", { value: "20.19.0" }); require(${JSON.stringify(path.join(PROJECT_ROOT, "scripts", "cli.js"))});`;
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "nextpress needs Node.js 22.16.0 or later (this is 20.19.0): install Node 24 (or 22), e.g. `nvm install 24`\n",
    );
  });

  it("npm test's first step refuses it before typecheck, lint or jest run", () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      scripts: { test: string };
    };
    const [first, ...rest] = pkg.scripts.test.split(" && ");
    expect(first).toBe("node scripts/node-version.js");
    expect(rest[0]).toBe("npm run typecheck");
    // The step as npm runs it, in a Node that says it is 20.19.0 (a preload fakes the version).
    const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-node-version-"));
    try {
      const fake = path.join(dir, "old-node.cjs");
      writeFileSync(
        fake,
        'Object.defineProperty(process.versions, "node", { value: "20.19.0" });\n',
      );
      const result = spawnSync("sh", ["-c", first], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: `--require ${fake}` },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        "nextpress needs Node.js 22.16.0 or later (this is 20.19.0): install Node 24 (or 22), e.g. `nvm install 24`\n",
      );
      // And passes on this Node.
      const ok = spawnSync("sh", ["-c", first], { cwd: PROJECT_ROOT, encoding: "utf8" });
      expect(ok.status).toBe(0);
      expect(ok.stderr).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
