import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { errorCode, messageOf } from "../errors";
import { ensureEsmAliases, installNextAliases } from "./module-aliases";
import type { NextApiHandler } from "../types";
import { HTTP_METHODS, type HttpMethod } from "../http/methods";

/** What a route file exports, found whatever its module format; checked by build-route. */
export interface RouteModule {
  /** The default export when it is a function (a Next-style handler). */
  handler?: NextApiHandler;
  /** `export const GET = …` and friends. */
  methods: Partial<Record<HttpMethod, NextApiHandler>>;
  middleware: unknown;
  schema: unknown;
  config: unknown;
  /** For the OpenAPI document: `export const openapi` and `export const methods`, checked by openapi/route-docs. */
  docs?: { openapi: unknown; methods: unknown; mcp?: unknown };
  /** Any named export, wherever the module format put it (app routes' segment config, …). */
  named?: (name: string) => unknown;
  /** The default export, function or not. */
  defaultExport?: unknown;
}

type Exports = Record<string, unknown>;

function asObject(value: unknown): Exports | undefined {
  return typeof value === "object" && value !== null ? (value as Exports) : undefined;
}

const packageTypes = new Map<string, string | undefined>();

/** The `type` of the package.json nearest to `dir`, as Node decides a `.js` file's format. */
function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const declared = typeof parsed === "object" && parsed !== null && "type" in parsed;
    type = declared && typeof parsed.type === "string" ? parsed.type : "commonjs";
  } catch {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** `.cjs`/`.cts`, and `.js`/`.ts` outside a `"type": "module"` package, are CommonJS. */
function isCommonJs(file: string): boolean {
  if (file.endsWith(".cjs") || file.endsWith(".cts")) return true;
  if (file.endsWith(".mjs") || file.endsWith(".mts")) return false;
  return packageType(path.dirname(file)) !== "module";
}

/** Node's "this file has ESM syntax" errors from require(): import() it instead. */
function isEsmSyntaxError(error: unknown): boolean {
  const code = errorCode(error);
  const message = messageOf(error);
  return (
    code === "ERR_REQUIRE_ESM" ||
    code === "ERR_REQUIRE_ASYNC_MODULE" ||
    /Cannot use import statement|Unexpected token 'export'|await is only valid/.test(message)
  );
}

/** A failed resolution inside an ES module (import()'s error code; require()'s is MODULE_NOT_FOUND). */
function isEsmResolveError(error: unknown): boolean {
  return errorCode(error) === "ERR_MODULE_NOT_FOUND";
}

/**
 * Imports any script module (`file` is absolute) and returns its namespace. CommonJS files are
 * required (5x faster than import() for 1,000 small files) and wrapped as import() would wrap
 * them: `{ default: module.exports }`. ESM goes through import().
 */
export async function importModule(file: string): Promise<Exports> {
  installNextAliases();
  if (isCommonJs(file)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fast path for CommonJS route files, see above.
      const exported: unknown = require(file);
      return { default: exported };
    } catch (error) {
      // An ES module that require() loaded (Node 20.19+, 22.12+) resolves its imports without the
      // import() aliases (module-aliases.ts): import() it, with them, as an .mjs file would be.
      if (!isEsmSyntaxError(error) && !isEsmResolveError(error)) throw error;
    }
  }
  ensureEsmAliases();
  return (await import(pathToFileURL(file).href)) as Exports;
}

/**
 * The default export as Next's `interopDefault` finds it, also through CommonJS `module.exports`
 * and a compiled module's `default.default`, and the named exports wherever the format put them.
 */
export function readExports(mod: Exports): { main: unknown; named: (name: string) => unknown } {
  const outer = asObject(mod.default);
  // A compiled TS/ESM module loaded as CommonJS arrives as { default: { __esModule, default: fn, … } }.
  const inner = outer ? asObject(outer.default) : undefined;
  // A function or an array (a `_middleware` list) is the export itself, not a namespace around it.
  const main =
    typeof mod.default === "function" || Array.isArray(mod.default) ? mod.default : outer?.default;
  // `!== undefined`, not `??`: an export set to null is still there, and must be reported, not skipped.
  const named = (name: string) =>
    [mod, outer, inner].map((source) => source?.[name]).find((value) => value !== undefined);
  return { main, named };
}

/** Imports a route file and reads what nextpress uses from it. */
export async function importRoute(file: string): Promise<RouteModule> {
  const mod = await importModule(file);
  const { main, named } = readExports(mod);
  const handler = typeof main === "function" ? (main as NextApiHandler) : undefined;
  const methods: RouteModule["methods"] = {};
  for (const method of HTTP_METHODS) {
    const exported = named(method);
    if (exported !== undefined) methods[method] = exported as NextApiHandler;
  }
  // `module.exports = handler; module.exports.config = …` puts config on the function itself.
  const config = named("config") ?? (handler && "config" in handler ? handler.config : undefined);
  const docs = {
    openapi: named("openapi") ?? (handler && "openapi" in handler ? handler.openapi : undefined),
    methods: named("methods") ?? (handler && "methods" in handler ? handler.methods : undefined),
    // `export const mcp = false`: no MCP tool for this file's operations.
    mcp: named("mcp"),
  };
  return {
    handler,
    methods,
    middleware: named("middleware"),
    schema: named("schema"),
    config,
    docs,
    named,
    defaultExport: main,
  };
}
