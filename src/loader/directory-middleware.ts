import path from "node:path";
import { InvalidRouteError, type RouteProblem } from "../errors";
import type { Middleware } from "../types";
import { importModule, readExports } from "./import-route";
import { toMiddlewareList } from "./middleware-list";

/** A folder's `_middleware` file, loaded. `dir` is "" for the routes folder itself. */
export interface DirectoryMiddleware {
  dir: string;
  file: string;
  middleware: Middleware[];
}

const dirOf = (file: string): string =>
  file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";

/**
 * Imports every `_middleware` file; its default export is a middleware or an array of them.
 * Problems (nothing usable exported, two such files in one folder, an import that throws) are
 * returned for the loader to report with the rest.
 */
export async function loadDirectoryMiddleware(
  routesDir: string,
  files: readonly string[],
  describeImportError: (error: unknown) => string,
): Promise<{ byDir: Map<string, DirectoryMiddleware>; problems: RouteProblem[] }> {
  const problems: RouteProblem[] = [];
  const byDir = new Map<string, DirectoryMiddleware>();
  const perDir = new Map<string, string[]>();
  for (const file of files) perDir.set(dirOf(file), [...(perDir.get(dirOf(file)) ?? []), file]);
  for (const [, same] of perDir) {
    if (same.length > 1)
      problems.push({ files: same, reason: "one folder has two _middleware files: keep one" });
  }
  await Promise.all(
    files.map(async (file) => {
      try {
        const { main } = readExports(await importModule(path.join(routesDir, file)));
        if (main === undefined || (Array.isArray(main) && main.length === 0)) {
          throw new InvalidRouteError(
            "exports no middleware: `export default` a (req, res, next) function or an array of them",
          );
        }
        byDir.set(dirOf(file), {
          dir: dirOf(file),
          file,
          middleware: toMiddlewareList(main, "the default export"),
        });
      } catch (error) {
        problems.push({
          files: [file],
          reason: error instanceof InvalidRouteError ? error.message : describeImportError(error),
        });
      }
    }),
  );
  return { byDir, problems };
}

/** The `_middleware` of every folder from the routes folder down to the one holding `file`. */
export function inheritedMiddleware(
  file: string,
  byDir: ReadonlyMap<string, DirectoryMiddleware>,
): DirectoryMiddleware[] {
  const parts = file.split("/").slice(0, -1);
  const dirs = [""];
  for (let i = 1; i <= parts.length; i++) dirs.push(parts.slice(0, i).join("/"));
  return dirs.flatMap((dir) => byDir.get(dir) ?? []);
}
