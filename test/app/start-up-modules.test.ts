import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const DIST = path.join(ROOT, "dist", "src");

/** The files of require.cache (relative to the project) after `script` ran in a fresh node. */
function loadedAfter(script: string): string[] {
  const listing = [
    `const path = require("node:path");`,
    `(async () => {`,
    script,
    `const loaded = Object.keys(require.cache).map((file) => path.relative(${JSON.stringify(ROOT)}, file));`,
    `console.log(JSON.stringify(loaded));`,
    `process.exit(0);`,
    `})().catch((error) => { console.error(error); process.exit(1); });`,
  ].join("\n");
  const out = execFileSync(process.execPath, ["-e", listing], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
  });
  return JSON.parse(out) as string[];
}

const inPackage = (name: string) => (file: string) =>
  file.includes(`node_modules${path.sep}${name}${path.sep}`);

// What loading the app costs before any route asks for more: the Web classes (next/server's
// NextRequest and NextResponse, which bring Node's fetch: about 7 MB and 0.2 s) wait for the first
// proxy file, external rewrite, multipart body or Web route.
describe("modules loaded with the app", () => {
  it("leaves the Web request and response classes unloaded until something needs them", () => {
    const loaded = loadedAfter(
      `require(${JSON.stringify(path.join(DIST, "app", "create-app.js"))});`,
    );
    expect(
      loaded.filter((file) =>
        /web[\\/](next-request|next-response|write-response|read-multipart)\.js$/.test(file),
      ),
    ).toEqual([]);
  });

  // Idle RSS: `ws`, busboy, get-tsconfig and Node's fetch are megabytes a server with no
  // WebSocket, upload or tsconfig `paths` never needs; they load on the first upgrade, multipart
  // body or aliasing tsconfig.
  describe("started with WEBSOCKETS=on on a route that imports nextpress, beside a tsconfig without paths", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-start-up-modules-"));
      writeFileSync(path.join(dir, "tsconfig.json"), '{ "compilerOptions": { "strict": true } }\n');
      writeFileSync(
        path.join(dir, "hello.js"),
        `const { defineRoute } = require(${JSON.stringify(path.join(DIST, "index.js"))});\n` +
          `exports.GET = defineRoute({ handler(req, res) { res.json({ ok: true }); } });\n`,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const startApp = (routesDir: string) =>
      [
        `const { createApp, loadConfig } = require(${JSON.stringify(path.join(DIST, "index.js"))});`,
        `const config = loadConfig({ ROUTES_DIR: ${JSON.stringify(routesDir)}, WEBSOCKETS: "on", LOG_LEVEL: "silent" });`,
        `const built = await createApp(config);`,
        `if (built.routes.length !== 1 || !built.websockets) throw new Error("not started");`,
      ].join("\n");

    it("loads neither ws, busboy, get-tsconfig nor the Web request class", () => {
      const loaded = loadedAfter(startApp(dir));
      expect(loaded.filter(inPackage("ws"))).toEqual([]);
      expect(loaded.filter(inPackage(path.join("@fastify", "busboy")))).toEqual([]);
      expect(loaded.filter(inPackage("get-tsconfig"))).toEqual([]);
      expect(loaded.filter((file) => /web[\\/]next-request\.js$/.test(file))).toEqual([]);
    });

    // zod (about 50 ms and 5 MB) waits for the first route that exports something it checks: a
    // `config`, segment options or a `schema`. The configuration itself is read without it.
    it("loads no zod while no route exports anything zod checks", () => {
      expect(loadedAfter(startApp(dir)).filter(inPackage("zod"))).toEqual([]);
    });

    it("loads zod for a route that exports a config", () => {
      const withConfig = mkdtempSync(path.join(dir, "config-"));
      writeFileSync(
        path.join(withConfig, "hello.js"),
        "exports.config = { api: { bodyParser: false } };\n" +
          "exports.default = (req, res) => res.json({});\n",
      );
      expect(loadedAfter(startApp(withConfig)).filter(inPackage("zod")).length).toBeGreaterThan(0);
    });

    it("loads get-tsconfig once the tsconfig has paths", () => {
      const withPaths = mkdtempSync(path.join(dir, "paths-"));
      writeFileSync(
        path.join(withPaths, "tsconfig.json"),
        '{ "compilerOptions": { "paths": { "@lib/*": ["./lib/*"] } } }\n',
      );
      writeFileSync(
        path.join(withPaths, "hello.js"),
        "exports.GET = (req, res) => res.json({});\n",
      );
      const loaded = loadedAfter(startApp(withPaths));
      expect(loaded.filter(inPackage("get-tsconfig")).length).toBeGreaterThan(0);
    });
  });
});
