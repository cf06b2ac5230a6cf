// node:module's Module._resolveFilename: the hook every CommonJS resolver (tsx's included) goes
// through, not in @types/node. test/internals/node-module.test.ts holds the shape relied on here.
import Module from "node:module";

export type ResolveFilename = (
  this: unknown,
  request: string,
  parent: { filename?: string } | undefined,
  ...rest: unknown[]
) => string;

/** Replaces Module._resolveFilename with what `wrap` makes of the current one. */
export function wrapResolveFilename(wrap: (original: ResolveFilename) => ResolveFilename): void {
  const original: unknown = Reflect.get(Module, "_resolveFilename");
  if (typeof original !== "function")
    throw new TypeError("node:module has no _resolveFilename: a Node.js nextpress does not know");
  const current: ResolveFilename = function (this: unknown, request, parent, ...rest) {
    const resolved: unknown = original.call(this, request, parent, ...rest);
    if (typeof resolved !== "string")
      throw new TypeError(`Module._resolveFilename gave no path for ${request}`);
    return resolved;
  };
  Reflect.set(Module, "_resolveFilename", wrap(current));
}
