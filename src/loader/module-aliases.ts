import { existsSync, readFileSync, statSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { getTsconfig } from "get-tsconfig";
import { errorCode } from "../errors";
import { wrapResolveFilename } from "../internals/node-module";

/**
 * `next/server`, `next/headers`, `next/navigation` and `next/cache`, as a route file imports them, resolve to
 * nextpress's own modules (src/web/next-*.ts), whether or not the project has `next` installed:
 * their NextRequest, cookies() and redirect() are the ones the route runner understands, and
 * next/headers could not work outside Next's own server anyway.
 */
const SHIM_FILES: Record<string, string> = {
  "next/server": "next-server",
  "next/headers": "next-headers",
  "next/navigation": "next-navigation",
  "next/cache": "next-cache",
};

/** Compiled (.js) next to compiled code, TypeScript (.ts) under tsx or jest. */
function shimPath(name: string): string {
  return path.join(__dirname, "..", "web", `${name}${path.extname(__filename)}`);
}

/** Every specifier a route may use for a shim: `next/server` and `next/server.js`. */
export function nextAliases(): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [specifier, file] of Object.entries(SHIM_FILES)) {
    aliases.set(specifier, shimPath(file));
    aliases.set(`${specifier}.js`, shimPath(file));
  }
  return aliases;
}

/** What a bare path resolves to as TypeScript and Node would look for it. */
const PROBES = [
  "",
  ".ts",
  ".tsx",
  ".mts",
  ".cts",
  ".js",
  ".mjs",
  ".cjs",
  ".json",
  "/index.ts",
  "/index.tsx",
  "/index.js",
  "/index.mjs",
  "/index.cjs",
];

function probe(candidate: string): string | undefined {
  for (const suffix of PROBES) {
    const file = candidate + suffix;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/** A tsconfig's `paths`, as a function from a specifier to the files it may mean; only for importers in its folder. */
interface PathAliases {
  readonly dir: string;
  readonly match: (specifier: string) => string[];
}

const pathAliases: PathAliases[] = [];
const knownTsconfigs = new Set<string>();

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return (
    relative !== "" &&
    !relative.startsWith("..") &&
    !path.isAbsolute(relative) &&
    !relative.split(path.sep).includes("node_modules")
  );
}

/** The file a tsconfig `paths` alias means for `importer`, when nothing else resolves it. */
function resolvePathAlias(specifier: string, importer: string | undefined): string | undefined {
  if (!importer || specifier.startsWith(".") || path.isAbsolute(specifier)) return undefined;
  for (const aliases of pathAliases) {
    if (!isInside(importer, aliases.dir)) continue;
    for (const candidate of aliases.match(specifier)) {
      const file = probe(candidate);
      if (file) return file;
    }
  }
  return undefined;
}

// Runs in Node's module-loader thread for import(): the shims first; a tsconfig `paths` alias
// only for what nothing else resolves (a real package of the same name wins, as in TypeScript's
// own resolution at build time).
const ESM_HOOKS = `
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
let shims = new Map();
const scopes = [];
const PROBES = ${JSON.stringify(PROBES)};
export async function initialize(data) {
  if (data.shims) shims = new Map(Object.entries(data.shims));
  if (data.tsconfig) {
    const { createPathsMatcher } = await import(data.getTsconfigUrl);
    const match = createPathsMatcher(data.tsconfig);
    if (match) scopes.push({ dir: data.dir, match });
  }
}
function probe(candidate) {
  for (const suffix of PROBES) {
    const file = candidate + suffix;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
}
function inside(file, dir) {
  const relative = path.relative(dir, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) && !relative.split(path.sep).includes("node_modules");
}
export async function resolve(specifier, context, next) {
  const url = shims.get(specifier);
  if (url) return { url, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    const importer = context.parentURL?.startsWith("file:") ? fileURLToPath(context.parentURL) : undefined;
    if (!importer || specifier.startsWith(".") || specifier.startsWith("/") || specifier.includes(":")) throw error;
    for (const scope of scopes) {
      if (!inside(importer, scope.dir)) continue;
      for (const candidate of scope.match(specifier)) {
        const file = probe(candidate);
        if (file) return next(pathToFileURL(file).href, context);
      }
    }
    throw error;
  }
}
`;

const HOOKS_URL = `data:text/javascript,${encodeURIComponent(ESM_HOOKS)}`;
let installed = false;
// register() starts Node's loader-hooks thread: about 30 ms and 11 MB, which a server whose routes
// are all CommonJS (what `npm run build` writes) never needs. So the import() side waits for the
// first ES module (ensureEsmAliases), and the tsconfig scopes found before then wait with it.
let esmShims: Record<string, string> | undefined;
const pendingScopes: { tsconfig: NonNullable<ReturnType<typeof getTsconfig>>; dir: string }[] = [];

function registerScope(tsconfig: NonNullable<ReturnType<typeof getTsconfig>>, dir: string): void {
  register(HOOKS_URL, {
    data: { tsconfig, dir, getTsconfigUrl: pathToFileURL(require.resolve("get-tsconfig")).href },
  });
}

/** Installs the next/* aliases for require() now, and for import() once ensureEsmAliases() is called; once per process. */
export function installNextAliases(): void {
  if (installed) return;
  installed = true;
  const aliases = nextAliases();
  // require(): Module._resolveFilename is the hook every CommonJS resolver (tsx's included) goes through.
  wrapResolveFilename(
    (resolveFilename) =>
      function (this: unknown, request, parent, ...rest) {
        const shim = aliases.get(request);
        if (shim) return shim;
        try {
          return resolveFilename.call(this, request, parent, ...rest);
        } catch (error) {
          const aliased =
            errorCode(error) === "MODULE_NOT_FOUND"
              ? resolvePathAlias(request, parent?.filename)
              : undefined;
          if (aliased) return resolveFilename.call(this, aliased, parent, ...rest);
          throw error;
        }
      },
  );
}

/**
 * The same aliases for import(): a resolve hook in Node's loader thread, registered before the
 * first ES module is imported (and at once when that has happened already).
 */
export function ensureEsmAliases(): void {
  installNextAliases();
  if (esmShims) return;
  esmShims = Object.fromEntries(
    [...nextAliases()].map(([specifier, file]) => [specifier, pathToFileURL(file).href]),
  );
  register(HOOKS_URL, { data: { shims: esmShims } });
  for (const { tsconfig, dir } of pendingScopes.splice(0)) registerScope(tsconfig, dir);
}

type GetTsconfig = typeof import("get-tsconfig");

/** The tsconfig.json get-tsconfig would pick for `dir`: the nearest one in it or above it. */
function nearestTsconfig(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const file = path.join(current, "tsconfig.json");
    if (existsSync(file)) return file;
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * False when no tsconfig can alias anything for `dir` (none, or one naming neither `paths`,
 * `baseUrl` nor `extends`): get-tsconfig and its parse are then never loaded.
 */
function mayHavePaths(dir: string): boolean {
  const file = nearestTsconfig(dir);
  if (!file || knownTsconfigs.has(file)) return false;
  const text = readFileSync(file, "utf8");
  return ["paths", "baseUrl", "extends"].some((key) => text.includes(key));
}

/**
 * Honours the `paths` of the tsconfig.json nearest to `dirs` (the routes and app folders), as
 * Next does: `import { db } from "@lib/db"` in a route loads `lib/db.ts`. Only for modules in
 * that tsconfig's folder, and only for what Node cannot resolve by itself. `npm run build`
 * rewrites the same aliases in the compiled output (tsc-alias), where no tsconfig is read.
 */
export function installPathAliases(dirs: readonly string[]): void {
  installNextAliases();
  for (const dir of dirs) {
    if (!existsSync(dir) || !mayHavePaths(dir)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only for a tsconfig that may alias
    const { createPathsMatcher, getTsconfig } = require("get-tsconfig") as GetTsconfig;
    const tsconfig = getTsconfig(dir);
    if (!tsconfig || knownTsconfigs.has(tsconfig.path)) continue;
    knownTsconfigs.add(tsconfig.path);
    const match = createPathsMatcher(tsconfig);
    if (!match) continue;
    const scope = path.dirname(tsconfig.path);
    pathAliases.push({ dir: scope, match });
    if (esmShims) registerScope(tsconfig, scope);
    else pendingScopes.push({ tsconfig, dir: scope });
  }
}
