import { promises as fs } from "node:fs";
import path from "node:path";
import { isIgnoredName, isMiddlewareFileName, isRouteFileName } from "./ignore-rules";

export interface ScannedFiles {
  /** Route files, `/`-separated paths relative to the routes folder, sorted. */
  routes: string[];
  /** `_middleware.*` files, likewise. */
  middleware: string[];
}

/** Every route file below `routesDir`; see scanRoutesDir for the middleware files too. */
export async function scanRouteFiles(routesDir: string): Promise<string[]> {
  return (await scanRoutesDir(routesDir)).routes;
}

/**
 * Every route file and `_middleware` file below `routesDir`, as `/`-separated paths relative to it, sorted.
 * Symbolic links are followed; a link back into a folder above it (a loop) is skipped.
 *
 * @example
 * await scanRoutesDir("routes"); // { routes: ["hello.ts", "users/[id].ts"], middleware: ["users/_middleware.ts"] }
 */
export async function scanRoutesDir(routesDir: string): Promise<ScannedFiles> {
  const found: string[] = [];
  const middleware: string[] = [];

  // Only the folders on the current path count as "seen": a second link to a sibling folder is a
  // second set of URLs, and which one a readdir lists first must not decide what gets served.
  async function walk(
    dir: string,
    relative: string,
    ancestors: ReadonlySet<string>,
  ): Promise<void> {
    const real = await fs.realpath(dir);
    if (ancestors.has(real)) return;
    const inside = new Set(ancestors).add(real);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (isMiddlewareFileName(entry.name) && !entry.isDirectory()) {
        middleware.push(relative ? `${relative}/${entry.name}` : entry.name);
        continue;
      }
      if (isIgnoredName(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      // A dangling link is kept as a file: its import then fails and is reported with its name.
      const isDir = entry.isSymbolicLink()
        ? ((await fs.stat(full).catch(() => undefined))?.isDirectory() ?? false)
        : entry.isDirectory();
      if (isDir) await walk(full, rel, inside);
      else if (isRouteFileName(entry.name)) found.push(rel);
    }
  }

  await walk(routesDir, "", new Set());
  return { routes: found.sort(), middleware: middleware.sort() };
}
