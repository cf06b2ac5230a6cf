import { existsSync } from "node:fs";
import path from "node:path";
import { RouteLoadError } from "../errors";
import { isTypeScriptFile, SCRIPT_EXTENSIONS } from "./ignore-rules";
import { importModule, readExports } from "./import-route";
import { ensureTypeScriptRuntime } from "./typescript-runtime";

/** What Next passes `onRequestError` about the request that failed. */
interface ErroredRequest {
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

interface ErrorContext {
  routerKind: "Pages Router" | "App Router";
  /** The route's template, e.g. `/api/users/[id]`. */
  routePath: string;
  routeType: "route";
}

/**
 * `instrumentation.ts` beside the routes folder, as Next reads it from the project root (beside
 * `pages/`): `register` runs once before the routes load and the server listens, `onRequestError`
 * hears every error a request ends with. nextpress adds `ready` (GET /readyz answers 503 while it
 * returns false or throws: a database that is down) and `shutdown` (after the last request drained).
 *
 * @example
 * // instrumentation.ts
 * export async function register() { await migrate(); }
 * export async function ready() { return (await db.query("select 1")).rowCount === 1; }
 * export async function shutdown() { await db.end(); }
 */
export interface Instrumentation {
  register?: () => unknown;
  onRequestError?: (error: unknown, request: ErroredRequest, context: ErrorContext) => unknown;
  ready?: () => unknown;
  shutdown?: () => unknown;
  /** The file it came from, absolute. */
  file?: string;
}

const HOOKS = ["register", "onRequestError", "ready", "shutdown"] as const;

/** `instrumentation.{ts,js,…}` in `projectDir`; several of them is a problem to fix, not a choice to guess. */
function findInstrumentationFile(projectDir: string): string | undefined {
  const found = SCRIPT_EXTENSIONS.map((ext) =>
    path.join(projectDir, `instrumentation${ext}`),
  ).filter((file) => existsSync(file));
  if (found.length > 1) {
    throw new RouteLoadError(projectDir, [
      { files: found, reason: "several instrumentation files: keep one" },
    ]);
  }
  return found[0];
}

/**
 * Imports the instrumentation file beside `routesDir`, if there is one, and checks its hooks.
 * Throws a RouteLoadError naming the file when it cannot be imported or exports a hook that is
 * not a function.
 */
export async function loadInstrumentation(routesDir: string): Promise<Instrumentation> {
  const file = findInstrumentationFile(path.dirname(routesDir));
  if (!file) return {};
  const fail = (reason: string): never => {
    throw new RouteLoadError(path.dirname(routesDir), [{ files: [file], reason }]);
  };
  let mod: Record<string, unknown> = {};
  try {
    if (isTypeScriptFile(file)) await ensureTypeScriptRuntime();
    mod = await importModule(file);
  } catch (error) {
    fail(
      `throws on import: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
  const { named } = readExports(mod);
  const hooks: Instrumentation = { file };
  for (const name of HOOKS) {
    const hook = named(name);
    if (hook === undefined) continue;
    if (typeof hook !== "function")
      fail(`\`export ${name}\` is not a function: export \`async function ${name}() { … }\``);
    hooks[name] = hook as () => unknown;
  }
  return hooks;
}

/** Runs `register()`, naming the file when it fails: start-up stops there. */
export async function runRegister(hooks: Instrumentation, routesDir: string): Promise<void> {
  if (!hooks.register) return;
  try {
    await hooks.register();
  } catch (error) {
    throw new RouteLoadError(path.dirname(routesDir), [
      {
        files: [hooks.file ?? "instrumentation"],
        reason: `register() failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      },
    ]);
  }
}
