import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Route } from "../loader/load-routes";
import { describeRouteTable } from "../openapi";
import { CLIENT_FILE, generateClient } from "./generate-client";

export { CLIENT_FILE, generateClient } from "./generate-client";
export { printSchema } from "./json-schema-to-ts";

/** The typed client's source for a loaded route table (built with the same operations as /openapi.json). */
export function clientSource(routes: readonly Route[], routesDir: string): string {
  const { document, operations } = describeRouteTable(routes, routesDir);
  return generateClient(document, operations);
}

/** Writes `dir/index.ts` when its text changed; the file written, or undefined when it was current. */
export function writeClient(dir: string, source: string): string | undefined {
  const file = path.join(dir, CLIENT_FILE);
  if (readCurrent(file) === source) return undefined;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, source);
  return file;
}

/** The committed client's text, or undefined when there is none. */
export function readCurrent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
