import { existsSync } from "node:fs";
import path from "node:path";
import { RouteLoadError } from "../errors";
import { isTypeScriptFile, SCRIPT_EXTENSIONS } from "./ignore-rules";
import { importModule, readExports } from "./import-route";
import { describeImportError } from "./load-routes";
import { installPathAliases } from "./module-aliases";
import { checkConditions, compileSource, type Condition } from "./request-match";
import { ensureTypeScriptRuntime } from "./typescript-runtime";

/** One `config.matcher` entry, compiled once. */
export interface ProxyMatcher {
  /** As written, for `nextpress routes` and errors. */
  readonly source: string;
  readonly regexp: RegExp;
  readonly has?: readonly Condition[];
  readonly missing?: readonly Condition[];
}

type ProxyFunction = (request: unknown, event: unknown) => unknown;

/** Next's `proxy.ts` / `middleware.ts`: the function, and the paths it runs for. */
export interface ProxyFile {
  /** Absolute path. */
  readonly file: string;
  readonly run: ProxyFunction;
  /** undefined: no `config.matcher`, every path. */
  readonly matchers: readonly ProxyMatcher[] | undefined;
}

/** Next 16's name first, then the older one it still runs. */
const NAMES = ["proxy", "middleware"] as const;

/**
 * The proxy file of the project in `projectDir` (where instrumentation.ts is found): `proxy.*`
 * or `middleware.*`, any script extension, at the root or in `src/`, as Next finds it. Two of
 * them (both names, two extensions, root and `src/`) is a problem to fix, never a guess.
 */
export function findProxyFile(projectDir: string): string | undefined {
  const found = [projectDir, path.join(projectDir, "src")].flatMap((dir) =>
    NAMES.flatMap((name) => SCRIPT_EXTENSIONS.map((ext) => path.join(dir, `${name}${ext}`))),
  );
  const present = found.filter((file) => existsSync(file));
  if (present.length > 1) {
    throw new RouteLoadError(projectDir, [
      {
        files: present,
        reason:
          "several proxy files: keep one (proxy.ts is Next 16's name for middleware.ts; Next runs one file)",
      },
    ]);
  }
  return present[0];
}

/** A string or `{ source, has, missing, locale }`, compiled with the basePath in front. */
function toMatcher(entry: unknown, basePath: string): ProxyMatcher | string {
  const item = typeof entry === "string" ? { source: entry } : entry;
  if (typeof item !== "object" || item === null)
    return `matcher ${JSON.stringify(entry)}: expected a path such as "/api/:path*" or { source, has, missing }`;
  const { source, has, missing, locale } = item as Record<string, unknown>;
  if (typeof source !== "string" || !source.startsWith("/"))
    return `matcher ${JSON.stringify(entry)}: \`source\` must be a string starting with "/"`;
  if (locale !== undefined && locale !== false)
    return `matcher ${JSON.stringify(source)}: \`locale\` can only be false`;
  const problem = checkConditions(has, "has") ?? checkConditions(missing, "missing");
  if (problem) return `matcher ${JSON.stringify(source)}: ${problem}`;
  try {
    return {
      source,
      regexp: compileSource(`${basePath}${source}`),
      has: has as Condition[] | undefined,
      missing: missing as Condition[] | undefined,
    };
  } catch (error) {
    return `matcher ${JSON.stringify(source)} is not a valid path pattern: ${(error as Error).message}`;
  }
}

/** `config.matcher` as Next reads it: one entry or an array; undefined when there is none. */
export function compileMatchers(
  matcher: unknown,
  basePath = "",
): { matchers?: ProxyMatcher[]; problems: string[] } {
  if (matcher === undefined) return { problems: [] };
  const compiled = (Array.isArray(matcher) ? matcher : [matcher]).map((entry) =>
    toMatcher(entry, basePath),
  );
  const problems = compiled.filter((entry): entry is string => typeof entry === "string");
  const matchers = compiled.filter((entry): entry is ProxyMatcher => typeof entry !== "string");
  return { matchers, problems };
}

/**
 * Imports the project's proxy file, if there is one, and compiles its matcher. Throws a
 * RouteLoadError naming the file when it cannot be imported, exports no function, or has an
 * invalid matcher.
 */
export async function loadProxyFile(
  projectDir: string,
  basePath = "",
): Promise<ProxyFile | undefined> {
  const file = findProxyFile(projectDir);
  if (!file) return undefined;
  const fail = (reason: string): never => {
    throw new RouteLoadError(projectDir, [{ files: [file], reason }]);
  };
  let mod: Record<string, unknown> = {};
  try {
    // Its imports may use the project's tsconfig `paths` (`@/lib/…`), as the routes' do.
    installPathAliases([path.dirname(file)]);
    if (isTypeScriptFile(file)) await ensureTypeScriptRuntime();
    mod = await importModule(file);
  } catch (error) {
    fail(describeImportError(error));
  }
  const { main, named } = readExports(mod);
  const run = [main, named("proxy"), named("middleware")].find(
    (candidate) => typeof candidate === "function",
  ) as ProxyFunction | undefined;
  if (!run)
    return fail(
      "exports no function: `export default function proxy(request) { … }` (or a named `proxy` or `middleware` export)",
    );
  const config = named("config") as { matcher?: unknown } | undefined;
  const { matchers, problems } = compileMatchers(config?.matcher, basePath);
  if (problems.length > 0) fail(problems.join("; "));
  return { file, run, matchers };
}
