import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess, stopProcess, waitForListening } from "../helpers/process";

// tsconfig `paths`, as Next honours them: a route importing "@lib/greet" and "~/lib/deep".
const PROJECT = fixture("ts-paths");
const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is CommonJS
const { rewriteAliases } = require("../../scripts/build.js") as {
  rewriteAliases: (tsconfig: string, outDir: string) => void;
};

async function serve(routesDir: string): Promise<unknown> {
  const server = spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: routesDir,
  });
  try {
    const port = await waitForListening(server);
    return await (await fetch(`http://127.0.0.1:${port}/api/hello`)).json();
  } finally {
    expect(await stopProcess(server)).toBe(0);
  }
}

describe("tsconfig paths", () => {
  it("resolve in routes served from their TypeScript sources (the nearest tsconfig.json is read)", async () => {
    expect(await serve(path.join(PROJECT, "routes"))).toEqual({
      message: "Hello, paths!",
      depth: "lib/deep/index.ts",
    });
  });

  it("are rewritten by the build into relative imports, which the compiled server loads with no tsconfig at all", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "nextpress-ts-paths-"));
    try {
      execFileSync(process.execPath, [
        require.resolve("typescript/bin/tsc"),
        "-p",
        path.join(PROJECT, "tsconfig.json"),
        "--outDir",
        out,
      ]);
      rewriteAliases(path.join(PROJECT, "tsconfig.json"), out);
      const compiled = readFileSync(path.join(out, "routes", "hello.js"), "utf8");
      expect(compiled).toContain('require("../lib/greet.js")');
      expect(compiled).toContain('require("../lib/deep/index.js")');
      expect(compiled).not.toContain("@lib/");
      expect(await serve(path.join(out, "routes"))).toEqual({
        message: "Hello, paths!",
        depth: "lib/deep/index.ts",
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("leave a missing package a clear start-up error, with the npm install that fixes it", async () => {
    const server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("missing-package"),
    });
    expect(await server.exited).toBe(1);
    const stderr = server.stderr();
    expect(stderr).toMatch(
      /uses-missing\.ts: imports "left-pad-of-the-future\/sub", which is not installed: run `npm install left-pad-of-the-future`/,
    );
    expect(stderr).toMatch(
      /scoped\.ts: imports "@nowhere\/pkg", which is not installed: run `npm install @nowhere\/pkg`/,
    );
    expect(stderr).not.toMatch(/node_modules\/tsx|Require stack/);
    // Once: not also as a JSON log line.
    expect(server.stdout()).not.toContain("left-pad-of-the-future");
    expect(stderr.match(/left-pad-of-the-future\/sub/g)).toHaveLength(1);
  });
});
