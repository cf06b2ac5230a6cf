import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadNextConfig, PHASE_PRODUCTION_SERVER } from "../../src/loader/next-config";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-next-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const load = () => loadNextConfig(dir, PHASE_PRODUCTION_SERVER);

describe("loadNextConfig", () => {
  it("finds nothing in a project without one", async () => {
    expect(await load()).toBeUndefined();
  });

  it("reads a TypeScript config with `export default` and an async function", async () => {
    writeFileSync(
      path.join(dir, "next.config.ts"),
      'const config = async (phase: string) => ({ basePath: phase === "phase-production-server" ? "/p" : "/x", output: "standalone" });\nexport default config;\n',
    );
    const config = await load();
    expect(config?.basePath).toBe("/p");
    expect(config?.ignoredKeys).toEqual(["output"]);
  });

  it("stops start-up naming every invalid rule", async () => {
    writeFileSync(
      path.join(dir, "next.config.js"),
      `module.exports = {
        async redirects() { return [{ source: "no-slash", destination: "/a", permanent: true }, { source: "/b", destination: "/a" }]; },
        async rewrites() { return { beforeFiles: [{ source: "/c", destination: "/d", has: [{ type: "body", key: "x" }] }] }; },
        async headers() { return [{ source: "/e(", headers: [] }]; },
      };`,
    );
    const error = await load().catch((failure: Error) => failure);
    expect(String(error)).toMatch(/next\.config\.js: /);
    expect(String(error)).toContain('redirects()[0]: `source` must be a string starting with "/"');
    expect(String(error)).toContain("redirects()[1]: `permanent` must be true or false");
    expect(String(error)).toContain("rewrites().beforeFiles[0] (/c): invalid `has` item");
    expect(String(error)).toContain("headers()[0] (/e() is not a valid path pattern");
  });

  it("names the file when it throws on load", async () => {
    writeFileSync(path.join(dir, "next.config.mjs"), 'throw new Error("broken config");\n');
    await expect(load()).rejects.toThrow(
      /next\.config\.mjs: throws on import: Error: broken config/,
    );
  });

  it("refuses two config files", async () => {
    writeFileSync(path.join(dir, "next.config.js"), "module.exports = {};");
    writeFileSync(path.join(dir, "next.config.mjs"), "export default {};");
    await expect(load()).rejects.toThrow(/several next\.config files: keep one/);
  });
});
