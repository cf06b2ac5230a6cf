import Module from "node:module";
import { wrapResolveFilename, type ResolveFilename } from "../../src/internals/node-module";

// Module._resolveFilename as require() calls it: if Node changes it, these fail.
describe("node:module's internals", () => {
  const saved: unknown = Reflect.get(Module, "_resolveFilename");
  afterEach(() => Reflect.set(Module, "_resolveFilename", saved));

  it("puts the wrapped resolver where require() calls it, the original still at hand", () => {
    const asked: string[] = [];
    wrapResolveFilename(
      (original): ResolveFilename =>
        function (this: unknown, request, parent, ...rest) {
          asked.push(request);
          if (request === "nextpress-test-alias") return original.call(this, "node:path", parent);
          return original.call(this, request, parent, ...rest);
        },
    );
    // Called as require() calls it (jest's own require resolves elsewhere).
    const resolve: unknown = Reflect.get(Module, "_resolveFilename");
    if (typeof resolve !== "function") throw new Error("Module._resolveFilename is gone");
    expect(resolve.call(Module, "nextpress-test-alias", undefined, false)).toBe("node:path");
    expect(resolve.call(Module, "node:fs", undefined, false)).toBe("node:fs");
    expect(asked).toContain("nextpress-test-alias");
  });
});
