import { promises as fs } from "node:fs";
import path from "node:path";
import type { RouteProblem } from "../errors";
import { isMiddlewareFileName, SCRIPT_EXTENSIONS } from "./ignore-rules";

/** `route.ts` and its other script extensions: an app-router route handler. */
const ROUTE_FILES = new Set(SCRIPT_EXTENSIONS.map((ext) => `route${ext}`));

/** `@slot` (parallel routes) and `(.)x` (intercepting routes) are for pages, not route handlers. */
const PAGE_ONLY_FOLDER = /^(@|\(\.{1,3}\)|\(\.\.\)\(\.\.\))/;

export interface ScannedAppDir {
  /** `route.*` files, `/`-separated, relative to the app folder, sorted. */
  routes: string[];
  /** `_middleware.*` files, likewise. */
  middleware: string[];
  /** Route files where Next allows none. */
  problems: RouteProblem[];
  /** Files of Next's app router nextpress does not serve (pages, layouts, …). */
  ignored: string[];
}

/**
 * Every `route.{ts,js,mjs,cjs,mts,cts}` below `appDir`, as Next finds them: `_private` folders
 * and dot-folders are skipped, route groups `(name)` are walked (they only leave the URL);
 * `@slot` and intercepting `(.)x` folders may not hold a route handler. Other files (page.tsx,
 * layout.tsx, …) are listed as ignored: nextpress serves route handlers, not pages.
 */
export async function scanAppDir(appDir: string): Promise<ScannedAppDir> {
  const result: ScannedAppDir = { routes: [], middleware: [], problems: [], ignored: [] };

  async function walk(dir: string, relative: string, pageOnly: boolean): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const isDir =
        entry.isDirectory() ||
        (entry.isSymbolicLink() &&
          ((await fs.stat(path.join(dir, entry.name)).catch(() => undefined))?.isDirectory() ??
            false));
      if (isDir) {
        if (
          entry.name.startsWith("_") ||
          entry.name.startsWith(".") ||
          entry.name === "node_modules"
        )
          continue;
        await walk(path.join(dir, entry.name), rel, pageOnly || PAGE_ONLY_FOLDER.test(entry.name));
      } else if (isMiddlewareFileName(entry.name)) {
        result.middleware.push(rel);
      } else if (ROUTE_FILES.has(entry.name)) {
        if (pageOnly) {
          result.problems.push({
            files: [rel],
            reason:
              "parallel (@slot) and intercepting ((.)x) folders hold pages, not route handlers: move route.ts out of it",
          });
        } else result.routes.push(rel);
      } else if (!entry.name.startsWith(".") && !entry.name.endsWith(".d.ts")) {
        result.ignored.push(rel);
      }
    }
  }

  await walk(appDir, "", false);
  result.routes.sort();
  result.middleware.sort();
  return result;
}
