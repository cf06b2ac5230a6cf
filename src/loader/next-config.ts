import { existsSync } from "node:fs";
import path from "node:path";
import { RouteLoadError } from "../errors";
import { readWebSocketOrigins } from "../http/websocket-handshake";
import { isTypeScriptFile } from "./ignore-rules";
import { importModule } from "./import-route";
import { describeImportError } from "./load-routes";
import { checkConditions, sourceMatcher, type Condition, type Params } from "./request-match";
import { ensureTypeScriptRuntime } from "./typescript-runtime";

// next.config.{js,mjs,ts,cjs} as `next start` reads it (packages/next/src/server/config.ts,
// lib/load-custom-routes.ts): the request-layer keys nextpress applies, checked and compiled once.

const FILES = [
  "next.config.js",
  "next.config.mjs",
  "next.config.ts",
  "next.config.cjs",
  "next.config.mts",
];

/** Keys with no meaning for a standalone API server: accepted, listed once at start-up. */
const APPLIED = new Set([
  "headers",
  "redirects",
  "rewrites",
  "basePath",
  "trailingSlash",
  "poweredByHeader",
]);

/** One compiled rule: its source's matcher, conditions, and whether the basePath applies. */
export interface RequestRule {
  readonly source: string;
  readonly match: (pathname: string) => Params | false;
  readonly has?: readonly Condition[];
  readonly missing?: readonly Condition[];
  /** `basePath: false`: the source and destination are outside the basePath. */
  readonly basePath: boolean;
}

interface HeaderRule extends RequestRule {
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

interface RedirectRule extends RequestRule {
  readonly destination: string;
  readonly statusCode: number;
}

export interface RewriteRule extends RequestRule {
  readonly destination: string;
}

/** What nextpress applies from next.config, in Next's order. */
export interface RequestLayerConfig {
  readonly file: string;
  readonly basePath: string;
  readonly trailingSlash: boolean;
  readonly headers: readonly HeaderRule[];
  readonly redirects: readonly RedirectRule[];
  readonly rewrites: {
    readonly beforeFiles: readonly RewriteRule[];
    readonly afterFiles: readonly RewriteRule[];
    readonly fallback: readonly RewriteRule[];
  };
  /** `experimental.webSocketRouteHandlers.allowedOrigins`: may open a WebSocket besides the server's own origin. */
  readonly webSocketOrigins: readonly string[];
  /** Keys accepted and not applied (images, i18n, experimental, output, …). */
  readonly ignoredKeys: readonly string[];
}

/** Next's phases: what a function config is called with. */
export const PHASE_PRODUCTION_SERVER = "phase-production-server";
export const PHASE_DEVELOPMENT_SERVER = "phase-development-server";

function findNextConfig(projectDir: string): string | undefined {
  const found = FILES.map((name) => path.join(projectDir, name)).filter((file) => existsSync(file));
  if (found.length > 1)
    throw new RouteLoadError(projectDir, [
      { files: found, reason: "several next.config files: keep one" },
    ]);
  return found[0];
}

type Problems = string[];

/** `export default config` through every module format (ESM, CommonJS, TypeScript compiled to CommonJS). */
function unwrapDefault(value: unknown): unknown {
  let current = value;
  while (
    typeof current === "object" &&
    current !== null &&
    (current as { __esModule?: unknown }).__esModule === true &&
    "default" in current
  )
    current = (current as { default: unknown }).default;
  return current;
}

function baseRule(raw: Record<string, unknown>, where: string, problems: Problems) {
  const { source, has, missing, basePath, locale } = raw;
  if (typeof source !== "string" || !source.startsWith("/")) {
    problems.push(`${where}: \`source\` must be a string starting with "/"`);
    return undefined;
  }
  const conditionProblem = checkConditions(has, "has") ?? checkConditions(missing, "missing");
  if (conditionProblem) problems.push(`${where} (${source}): ${conditionProblem}`);
  if (basePath !== undefined && basePath !== false)
    problems.push(`${where} (${source}): \`basePath\` can only be false`);
  if (locale !== undefined && locale !== false)
    problems.push(`${where} (${source}): \`locale\` can only be false`);
  let match: RequestRule["match"];
  try {
    match = sourceMatcher(source);
  } catch (error) {
    problems.push(`${where} (${source}) is not a valid path pattern: ${(error as Error).message}`);
    return undefined;
  }
  return {
    source,
    match,
    has: has as Condition[] | undefined,
    missing: missing as Condition[] | undefined,
    basePath: basePath !== false,
  };
}

function listOf(value: unknown, name: string, problems: Problems): Record<string, unknown>[] {
  if (!Array.isArray(value)) {
    problems.push(`${name}() must return an array, got ${JSON.stringify(value)}`);
    return [];
  }
  return value.map((item) => (typeof item === "object" && item !== null ? item : {})) as Record<
    string,
    unknown
  >[];
}

function compileHeaders(value: unknown, problems: Problems): HeaderRule[] {
  return listOf(value, "headers", problems).flatMap((raw, index) => {
    const where = `headers()[${index}]`;
    const base = baseRule(raw, where, problems);
    const headers = raw.headers;
    const valid =
      Array.isArray(headers) &&
      headers.every(
        (item: unknown) =>
          typeof (item as { key?: unknown })?.key === "string" &&
          typeof (item as { value?: unknown })?.value === "string",
      );
    if (!valid) problems.push(`${where}: \`headers\` must be an array of { key, value } strings`);
    return base && valid ? [{ ...base, headers: headers as HeaderRule["headers"] }] : [];
  });
}

function redirectStatus(raw: Record<string, unknown>, where: string, problems: Problems) {
  const { permanent, statusCode } = raw;
  if (statusCode !== undefined) {
    if (typeof statusCode !== "number" || ![301, 302, 303, 307, 308].includes(statusCode))
      problems.push(`${where}: \`statusCode\` must be 301, 302, 303, 307 or 308`);
    if (permanent !== undefined)
      problems.push(`${where}: \`permanent\` and \`statusCode\` cannot both be set`);
    return statusCode as number;
  }
  if (typeof permanent !== "boolean")
    problems.push(`${where}: \`permanent\` must be true or false (or set \`statusCode\`)`);
  return permanent === true ? 308 : 307;
}

function destinationOf(raw: Record<string, unknown>, where: string, problems: Problems): string {
  const { destination } = raw;
  if (typeof destination !== "string" || destination === "") {
    problems.push(`${where}: \`destination\` must be a path or a URL`);
    return "/";
  }
  if (!destination.startsWith("/") && !URL.canParse(destination))
    problems.push(`${where}: \`destination\` must start with "/" or be an absolute URL`);
  return destination;
}

function compileRedirects(value: unknown, problems: Problems): RedirectRule[] {
  return listOf(value, "redirects", problems).flatMap((raw, index) => {
    const where = `redirects()[${index}]`;
    const base = baseRule(raw, where, problems);
    const statusCode = redirectStatus(raw, where, problems);
    const destination = destinationOf(raw, where, problems);
    return base ? [{ ...base, statusCode, destination }] : [];
  });
}

function compileRewrites(list: unknown, phase: string, problems: Problems): RewriteRule[] {
  if (list === undefined) return [];
  return listOf(list, `rewrites ${phase}`, problems).flatMap((raw, index) => {
    const where = `rewrites().${phase}[${index}]`;
    const base = baseRule(raw, where, problems);
    const destination = destinationOf(raw, where, problems);
    return base ? [{ ...base, destination }] : [];
  });
}

function checkBasePath(value: unknown, problems: Problems): string {
  if (value === undefined || value === "") return "";
  if (typeof value !== "string" || !value.startsWith("/") || value.endsWith("/"))
    problems.push(`basePath ${JSON.stringify(value)}: must start with "/" and not end with "/"`);
  return typeof value === "string" ? value : "";
}

/**
 * Imports the project's next.config, resolves it (object, function of `(phase, { defaultConfig })`,
 * or async), calls `headers()`, `redirects()`, `rewrites()` once and compiles every rule. Throws a
 * RouteLoadError naming the file and every invalid rule.
 */
export async function loadNextConfig(
  projectDir: string,
  phase: string,
): Promise<RequestLayerConfig | undefined> {
  const file = findNextConfig(projectDir);
  if (!file) return undefined;
  const fail = (reasons: string[]): never => {
    throw new RouteLoadError(projectDir, [{ files: [file], reason: reasons.join("; ") }]);
  };
  let config: Record<string, unknown> = {};
  try {
    if (isTypeScriptFile(file)) await ensureTypeScriptRuntime();
    const main = unwrapDefault((await importModule(file)).default);
    const resolved: unknown =
      typeof main === "function" ? await main(phase, { defaultConfig: {} }) : await main;
    config = typeof resolved === "object" && resolved !== null ? (resolved as typeof config) : {};
  } catch (error) {
    fail([describeImportError(error)]);
  }
  const problems: Problems = [];
  const call = async (name: string) => {
    const fn = config[name];
    if (fn === undefined) return undefined;
    if (typeof fn !== "function") {
      problems.push(`\`${name}\` must be an async function`);
      return undefined;
    }
    try {
      return (await (fn as () => unknown)()) as unknown;
    } catch (error) {
      problems.push(`${name}() failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  const headers = await call("headers");
  const redirects = await call("redirects");
  const rewrites = await call("rewrites");
  const phased =
    Array.isArray(rewrites) || rewrites === undefined
      ? { afterFiles: rewrites }
      : (rewrites as Record<string, unknown>);
  const webSocket = readWebSocketOrigins(config.experimental);
  problems.push(...webSocket.problems);
  const result: RequestLayerConfig = {
    file,
    basePath: checkBasePath(config.basePath, problems),
    trailingSlash: config.trailingSlash === true,
    headers: headers === undefined ? [] : compileHeaders(headers, problems),
    redirects: redirects === undefined ? [] : compileRedirects(redirects, problems),
    rewrites: {
      beforeFiles: compileRewrites(phased.beforeFiles, "beforeFiles", problems),
      afterFiles: compileRewrites(phased.afterFiles, "afterFiles", problems),
      fallback: compileRewrites(phased.fallback, "fallback", problems),
    },
    webSocketOrigins: webSocket.origins,
    ignoredKeys: Object.keys(config).filter((key) => !APPLIED.has(key)),
  };
  if (problems.length > 0) fail(problems);
  return result;
}
