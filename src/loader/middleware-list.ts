import { InvalidRouteError } from "../errors";
import type { Middleware } from "../types";

/** A middleware export: one `(req, res, next)` function or an array of them. */
export function toMiddlewareList(value: unknown, where: string): Middleware[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((item, index) => {
    if (typeof item !== "function") {
      const position = Array.isArray(value) ? `[${index}]` : "";
      throw new InvalidRouteError(
        `${where}${position} is not a middleware function: export a (req, res, next) function or an array of them`,
      );
    }
  });
  // A copy: the chain is fixed at start-up, whatever the module does with its array later.
  return [...list] as Middleware[];
}

/** How the route table names a middleware: its function name. */
export function middlewareName(fn: Middleware): string {
  return fn.name || "anonymous";
}
