/** What the loader treats as a route file, in one place. */
export const SCRIPT_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"] as const;

const TYPESCRIPT_EXTENSIONS = [".ts", ".mts", ".cts"] as const;

/** `_shared.ts`, `_lib/`: helpers beside the routes, never mounted. */
const PRIVATE_PREFIX = "_";

const DECLARATION_FILE = /\.d\.[mc]?ts$/;
const TEST_FILE = /\.(test|spec)\.[^.]+$/;

/** `_middleware.ts` (any script extension): a folder's middleware, for every route in and below it. */
export function isMiddlewareFileName(name: string): boolean {
  return SCRIPT_EXTENSIONS.some((ext) => name === `_middleware${ext}`);
}

/** Files a route folder may hold without them becoming routes. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith(PRIVATE_PREFIX) || name.startsWith(".") || name === "node_modules";
}

export function isRouteFileName(name: string): boolean {
  if (isIgnoredName(name) || DECLARATION_FILE.test(name) || TEST_FILE.test(name)) return false;
  return SCRIPT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export function isTypeScriptFile(name: string): boolean {
  return !DECLARATION_FILE.test(name) && TYPESCRIPT_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export function stripScriptExtension(name: string): string {
  const ext = SCRIPT_EXTENSIONS.find((e) => name.endsWith(e));
  return ext ? name.slice(0, -ext.length) : name;
}
