import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Route } from "../loader/load-routes";
import { describeRouteTable } from "../openapi";
import { generateClient, type ClientFiles } from "./generate-client";

export { generateClient, type ClientFiles } from "./generate-client";

/** The typed client's files for a loaded route table (built with the same operations as /openapi.json). */
export function clientFiles(routes: readonly Route[], routesDir: string): ClientFiles {
  const { document, operations } = describeRouteTable(routes, routesDir);
  return generateClient(document, operations);
}

/** A file's text, or undefined when there is none. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** The files of `dir` that are missing or differ from `files`, by name. */
export function staleFiles(dir: string, files: ClientFiles): string[] {
  return Object.entries(files)
    .filter(([name, text]) => readText(path.join(dir, name)) !== text)
    .map(([name]) => name);
}

/** Writes the files of `dir` that changed; the paths written (none when the client was current). */
export function writeClient(dir: string, files: ClientFiles): string[] {
  const stale = staleFiles(dir, files);
  if (stale.length > 0) mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files))
    if (stale.includes(name)) writeFileSync(path.join(dir, name), text);
  return stale.map((name) => path.join(dir, name));
}
