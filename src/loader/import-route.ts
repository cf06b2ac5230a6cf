import { pathToFileURL } from "node:url";
import { InvalidRouteError } from "../errors";
import type { NextApiHandler } from "../types";

/** The parts of a route module nextpress uses, whatever its module format. */
export interface RouteModule {
  handler: NextApiHandler;
  config: unknown;
}

type Exports = Record<string, unknown> | undefined;

function asObject(value: unknown): Exports {
  return (typeof value === "object" && value !== null) || typeof value === "function"
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Imports a route file and finds its handler and `config` as Next's `interopDefault` does, and
 * also through CommonJS `module.exports` and a compiled module's `default.default`.
 * Throws with a fix when there is no default-exported function.
 */
export async function importRoute(file: string): Promise<RouteModule> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const outer = asObject(mod.default);
  // A compiled TS/ESM module loaded as CommonJS arrives as { default: { __esModule, default: fn } }.
  const inner = outer && typeof outer !== "function" ? asObject(outer.default) : undefined;
  const handler = [mod.default, inner].find((candidate) => typeof candidate === "function");
  if (!handler) {
    throw new InvalidRouteError(
      "has no default-exported function: add `export default function handler(req, res) { … }` " +
        "(or `module.exports = handler` in CommonJS)",
    );
  }
  const config = mod.config ?? outer?.config ?? inner?.config;
  return { handler: handler as NextApiHandler, config };
}
