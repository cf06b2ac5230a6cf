import { pathToFileURL } from "node:url";
import type { NextApiHandler } from "../types";
import { HTTP_METHODS, type HttpMethod } from "../validation/route-schema";

/** What a route file exports, found whatever its module format; checked by build-route. */
export interface RouteModule {
  /** The default export when it is a function (a Next-style handler). */
  handler?: NextApiHandler;
  /** `export const GET = …` and friends. */
  methods: Partial<Record<HttpMethod, NextApiHandler>>;
  middleware: unknown;
  schema: unknown;
  config: unknown;
}

type Exports = Record<string, unknown>;

function asObject(value: unknown): Exports | undefined {
  return typeof value === "object" && value !== null ? (value as Exports) : undefined;
}

/** Imports any script module; `file` is an absolute path. */
export async function importModule(file: string): Promise<Exports> {
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
  const main = typeof mod.default === "function" || Array.isArray(mod.default) ? mod.default : outer?.default;
  return { main, named: (name) => mod[name] ?? outer?.[name] ?? inner?.[name] };
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
  const config = named("config") ?? (handler as { config?: unknown } | undefined)?.config;
  return { handler, methods, middleware: named("middleware"), schema: named("schema"), config };
}
