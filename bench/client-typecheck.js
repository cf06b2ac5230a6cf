// How long a consumer of the typed client for 1,000 routes takes to type-check: writes 1,000
// route files (GET and POST each, their own zod schemas), generates their client with the
// compiled nextpress (dist/), and times `tsc --noEmit` on a consumer that imports it.
// Usage: node bench/client-typecheck.js [routes=1000]   (after `npm run build`)
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

function routeSource(i) {
  return [
    '"use strict";',
    `const { defineRoute } = require(${JSON.stringify(path.join(ROOT, "dist", "src", "index.js"))});`,
    `const { z } = require(${JSON.stringify(require.resolve("zod", { paths: [ROOT] }))});`,
    `const Item = z.object({ id: z.string(), name${i}: z.string(), count: z.number().int(), at: z.date(), tags: z.array(z.string()).optional() });`,
    "const Message = z.object({ message: z.string() });",
    "exports.GET = defineRoute({",
    "  schema: { query: z.object({ id: z.string(), limit: z.coerce.number().optional() }), responses: { 200: Item, 404: Message } },",
    "  handler(req, res) { res.json({}); },",
    "});",
    "exports.POST = defineRoute({",
    `  schema: { query: z.object({ id: z.string() }), body: z.object({ name${i}: z.string(), count: z.number() }), responses: { 201: Item, 409: Message } },`,
    "  handler(req, res) { res.status(201).json({}); },",
    "});",
    "",
  ].join("\n");
}

function consumerSource(count) {
  const last = String(count - 1).padStart(4, "0");
  return [
    'import { createClient } from "./client/index";',
    "",
    "export async function run(): Promise<string> {",
    '  const api = createClient({ baseUrl: "http://localhost:3000" });',
    `  const got = await api.getApiR${last}ById({ params: { id: "1" }, query: { limit: 5 } });`,
    "  if (got.status === 404) return got.body.message;",
    `  const made = await api.postApiR0000ById({ params: { id: "1" }, body: { name0000: "a", count: 1 } });`,
    "  if (made.status === 409) return made.body.message;",
    "  if (made.status === 201) return made.body.at;",
    "  return got.status === 200 ? got.body.id : String(got.status);",
    "}",
    "",
  ].join("\n");
}

async function main() {
  const count = Number(process.argv[2] ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-client-bench-"));
  try {
    const routesDir = path.join(dir, "routes");
    for (let i = 0; i < count; i++) {
      const folder = path.join(routesDir, `r${String(i).padStart(4, "0")}`);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, "[id].js"), routeSource(String(i).padStart(4, "0")));
    }
    const { loadRoutes } = require(path.join(ROOT, "dist", "src", "loader", "load-routes.js"));
    const { clientFiles, writeClient } = require(
      path.join(ROOT, "dist", "src", "client", "index.js"),
    );
    const started = performance.now();
    const routes = await loadRoutes(routesDir, { bodyLimit: "1mb", appDir: path.join(dir, "app") });
    const loaded = performance.now();
    const files = clientFiles(routes, routesDir);
    const generated = performance.now();
    writeClient(path.join(dir, "client"), files);
    fs.writeFileSync(path.join(dir, "consumer.ts"), consumerSource(count));
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2022", "DOM"],
          types: [],
          skipLibCheck: true,
        },
        files: ["consumer.ts"],
      }),
    );
    // The same compiler settings on a file that imports nothing: what any consumer pays (lib.dom …).
    const baseDir = path.join(dir, "baseline");
    fs.mkdirSync(baseDir);
    fs.writeFileSync(path.join(baseDir, "consumer.ts"), "export const nothing = 0;\n");
    fs.copyFileSync(path.join(dir, "tsconfig.json"), path.join(baseDir, "tsconfig.json"));
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const run = (project) => {
      const t0 = performance.now();
      const text = execFileSync(process.execPath, [tsc, "-p", project, "--extendedDiagnostics"], {
        encoding: "utf8",
      });
      return { text, wall: performance.now() - t0 };
    };
    const base = run(baseDir);
    const { text: out, wall } = run(dir);
    const pick = (name, text = out) => new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(text)?.[1];
    const result = {
      routes: count,
      operations: (files["index.ts"].match(/^ {2}"\w+ [A-Z]+ \//gm) ?? []).length,
      clientKiB: Math.round(Buffer.byteLength(files["index.ts"] + files["api.d.ts"]) / 1024),
      loadRoutesMs: Math.round(loaded - started),
      generateMs: Math.round(generated - loaded),
      tscWallMs: Math.round(wall),
      baselineWallMs: Math.round(base.wall),
      addedByClientMs: Math.round(wall - base.wall),
      baselineTotalTime: pick("Total time", base.text),
      tscCheckTime: pick("Check time"),
      tscTotalTime: pick("Total time"),
      tscMemory: pick("Memory used"),
      // Deterministic, whatever the load: the types the checker created, with and without the client.
      tscTypes: Number(pick("Types")),
      baselineTypes: Number(pick("Types", base.text)),
    };
    console.log(JSON.stringify(result));
  } finally {
    if (process.env.KEEP) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
