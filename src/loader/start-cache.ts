import { createHash } from "node:crypto";
import { existsSync, promises as fs, statSync } from "node:fs";
import nodeModule from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isFileEntries, sameFiles, type FileEntry } from "./manifest";

/**
 * The start-up cache: what an eager start (every route imported and checked, the OpenAPI document
 * made) proved about a routes folder that has no build manifest, as when a project moves from Next
 * and runs its raw `.ts` files. The next start finds every route file and every project file those
 * imports loaded unchanged (names, sizes, modification times), and imports routes on first use, as
 * after `npm run build`. Any difference, and it imports everything eagerly again (and rewrites the
 * cache), so a broken file still stops start-up. Files outside `node_modules` are compared one by
 * one; packages through the project's package.json and lock file.
 */
const VERSION = 1;

interface StartCache {
  version: typeof VERSION;
  /** The runtime and nextpress that checked the files: another of either checks again. */
  runtime: string;
  routesDir: string;
  /** The route and `_middleware` files, relative to the routes folder, sorted. */
  routes: string[];
  /** Every project file the routes loaded, with its absolute path. */
  files: FileEntry[];
}

function isStartCache(value: unknown): value is StartCache {
  const candidate = value as Partial<StartCache> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.version === VERSION &&
    typeof candidate.runtime === "string" &&
    typeof candidate.routesDir === "string" &&
    Array.isArray(candidate.routes) &&
    candidate.routes.every((route) => typeof route === "string") &&
    isFileEntries(candidate.files)
  );
}

/** At most this many files are recorded; a project that loads more is not cached. */
const MAX_FILES = 50_000;

/** Node's version and this build of nextpress (its compiled file's time): either changes, check again. */
let runtimeKey: string | undefined;
function runtime(): string {
  runtimeKey ??= `${process.version} ${__filename} ${Math.trunc(statSync(__filename).mtimeMs)}`;
  return runtimeKey;
}

/** The cache file of one routes folder (and app folder) inside `dir`. */
export function startCacheFile(dir: string, routesDir: string, appDir: string | undefined): string {
  const key = createHash("sha256")
    .update(`${routesDir}\0${appDir ?? ""}`)
    .digest("hex")
    .slice(0, 32);
  return path.join(dir, `${key}.json`);
}

async function describe(files: Iterable<string>): Promise<FileEntry[]> {
  const described = await Promise.all(
    [...new Set(files)].sort().map(async (file): Promise<FileEntry | undefined> => {
      try {
        const stat = await fs.stat(file);
        return [file, stat.size, Math.trunc(stat.mtimeMs)];
      } catch {
        return undefined;
      }
    }),
  );
  return described.filter((entry) => entry !== undefined);
}

/** package.json and the lock file of the project around `routesDir`: what stands for node_modules. */
function packageFiles(routesDir: string): string[] {
  const found: string[] = [];
  for (let dir = routesDir; ;) {
    for (const name of ["package.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"]) {
      const file = path.join(dir, name);
      if (existsSync(file)) found.push(file);
    }
    const parent = path.dirname(dir);
    if (found.length > 0 || parent === dir) return found;
    dir = parent;
  }
}

const isProjectFile = (file: string) =>
  path.isAbsolute(file) && !file.split(path.sep).includes("node_modules");

/**
 * Starts recording the files that module loading reads from now on (ESM and CommonJS, TypeScript
 * through tsx included); `stop()` ends it and returns them. What was loaded before is not seen:
 * it loads at every start anyway.
 */
export function recordLoadedFiles(): { stop(): string[] } {
  const before = new Set(Object.keys(require.cache));
  const seen = new Set<string>();
  // module.registerHooks: Node 22.15+ (the floor is 22.16).
  const hooks = nodeModule.registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith("file:")) seen.add(fileURLToPath(url));
      return nextLoad(url, context);
    },
  });
  return {
    stop() {
      hooks.deregister();
      // tsx compiles a CommonJS route's own imports past the hooks: require.cache has them.
      for (const file of Object.keys(require.cache)) if (!before.has(file)) seen.add(file);
      return [...seen].filter(isProjectFile);
    },
  };
}

/**
 * Writes what an eager start proved. `routes` are the route and `_middleware` files relative to
 * the routes folder; `loaded` what recordLoadedFiles() saw. Best effort: false when it cannot.
 */
export async function writeStartCache(
  file: string,
  routesDir: string,
  routes: readonly string[],
  loaded: readonly string[],
): Promise<boolean> {
  const files = [
    ...routes.map((route) => path.resolve(routesDir, route)),
    ...loaded,
    ...packageFiles(routesDir),
  ];
  if (files.length > MAX_FILES) return false;
  const cache: StartCache = {
    version: VERSION,
    runtime: runtime(),
    routesDir,
    routes: [...routes].sort(),
    files: await describe(files),
  };
  try {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Written beside it, then renamed: a start reading it never sees half a file.
    const partial = `${file}.${process.pid}.tmp`;
    await fs.writeFile(partial, JSON.stringify(cache) + "\n", { mode: 0o600 });
    await fs.rename(partial, file);
    return true;
  } catch {
    return false;
  }
}

/** True when `file` vouches for exactly these route files and every file it lists is unchanged. */
export async function isStartCacheCurrent(
  file: string,
  routesDir: string,
  routes: readonly string[],
): Promise<boolean> {
  let cache: StartCache;
  try {
    // In a shared temporary folder: a cache another user wrote is not trusted.
    const owner = (await fs.stat(file)).uid;
    if (typeof process.getuid === "function" && owner !== process.getuid()) return false;
    const parsed: unknown = JSON.parse(await fs.readFile(file, "utf8"));
    if (!isStartCache(parsed)) return false;
    cache = parsed;
  } catch {
    return false;
  }
  if (cache.runtime !== runtime() || cache.routesDir !== routesDir) return false;
  const sorted = [...routes].sort();
  if (sorted.length !== cache.routes.length || sorted.some((r, i) => r !== cache.routes[i]))
    return false;
  return sameFiles(await describe(cache.files.map(([name]) => name)), cache.files);
}
