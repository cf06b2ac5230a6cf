import Module, { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * `next/server`, `next/headers` and `next/navigation`, as a route file imports them, resolve to
 * nextpress's own modules (src/web/next-*.ts), whether or not the project has `next` installed:
 * their NextRequest, cookies() and redirect() are the ones the route runner understands, and
 * next/headers could not work outside Next's own server anyway.
 */
const SHIM_FILES: Record<string, string> = {
  "next/server": "next-server",
  "next/headers": "next-headers",
  "next/navigation": "next-navigation",
};

/** Compiled (.js) next to compiled code, TypeScript (.ts) under tsx or jest. */
function shimPath(name: string): string {
  return path.join(__dirname, "..", "web", `${name}${path.extname(__filename)}`);
}

/** Every specifier a route may use for a shim: `next/server` and `next/server.js`. */
export function nextAliases(): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [specifier, file] of Object.entries(SHIM_FILES)) {
    aliases.set(specifier, shimPath(file));
    aliases.set(`${specifier}.js`, shimPath(file));
  }
  return aliases;
}

// Runs in Node's module-loader thread for import(): maps the specifiers, leaves everything else.
const ESM_HOOKS = `
let aliases = new Map();
export function initialize(data) { aliases = new Map(Object.entries(data.aliases)); }
export async function resolve(specifier, context, next) {
  const url = aliases.get(specifier);
  return url ? { url, shortCircuit: true } : next(specifier, context);
}
`;

let installed = false;

/** Installs the aliases for require() and import(), once per process. */
export function installNextAliases(): void {
  if (installed) return;
  installed = true;
  const aliases = nextAliases();
  // require(): Module._resolveFilename is the hook every CommonJS resolver (tsx's included) goes through.
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return aliases.get(request) ?? resolveFilename.call(this, request, ...rest);
  };
  // import(): a resolve hook in the loader thread.
  const urls = Object.fromEntries([...aliases].map(([specifier, file]) => [specifier, pathToFileURL(file).href]));
  register(`data:text/javascript,${encodeURIComponent(ESM_HOOKS)}`, { data: { aliases: urls } });
}
