import { parse as parseCookie } from "cookie";
import { match, pathToRegexp } from "path-to-regexp-6";

// Next's request-layer matching: `source` patterns in path-to-regexp 6 syntax (`:path*`, `(.*)`,
// `/((?!api).*)`), compiled as Next's tryToParsePath does, and `has`/`missing` conditions as its
// matchHas (packages/next/src/shared/lib/router/utils/prepare-destination.ts).

export type Params = Record<string, string | string[]>;

/** One `has` / `missing` item: header, cookie, query or host, with an optional anchored regex. */
export interface Condition {
  readonly type: "header" | "cookie" | "query" | "host";
  readonly key?: string;
  readonly value?: string;
}

/** What a condition reads from a request: its headers and its query. */
export interface ConditionInput {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
}

/** As Next compiles a source: case-insensitive, `/` the delimiter, no optional trailing slash. */
const OPTIONS = { delimiter: "/", sensitive: false, strict: true } as const;

/** The source as a RegExp; throws path-to-regexp's own error for an invalid one. */
export function compileSource(source: string): RegExp {
  return pathToRegexp(source, [], OPTIONS);
}

/** A function from a pathname to the source's params, or false. */
export function sourceMatcher(source: string): (pathname: string) => Params | false {
  const test = match<Params>(source, { ...OPTIONS, decode: decodeURIComponent });
  return (pathname) => {
    const result = test(pathname);
    return result ? { ...result.params } : false;
  };
}

/** Next's getSafeParamName: the letters of a header or cookie name, as a param name. */
function safeParamName(name: string): string {
  return name.replace(/[^A-Za-z]/g, "");
}

function conditionValue(item: Condition, input: ConditionInput): string | undefined {
  const key = item.key ?? "";
  switch (item.type) {
    case "header": {
      const value = input.headers[key.toLowerCase()];
      return Array.isArray(value) ? value.at(-1) : value;
    }
    case "cookie": {
      const header = input.headers.cookie;
      return header
        ? parseCookie(Array.isArray(header) ? header.join("; ") : header)[key]
        : undefined;
    }
    case "query":
      return input.query.getAll(key).at(-1);
    case "host": {
      const host = input.headers.host;
      return typeof host === "string" ? host.split(":", 1)[0].toLowerCase() : undefined;
    }
  }
}

/** One condition: its params when it holds, else false. */
function holds(item: Condition, input: ConditionInput, params: Params): boolean {
  const value = conditionValue(item, input);
  if (!value) return false;
  if (item.value === undefined) {
    params[safeParamName(item.key ?? "")] = value;
    return true;
  }
  const found = new RegExp(`^${item.value}$`).exec(value);
  if (!found) return false;
  if (found.groups) Object.assign(params, found.groups);
  else if (item.type === "host" && found[0]) params.host = found[0];
  return true;
}

/**
 * Next's matchHas: every `has` holds and no `missing` does. The params named by the conditions
 * (a keyless value, a regex's named groups) or false.
 */
export function matchConditions(
  input: ConditionInput,
  has: readonly Condition[] = [],
  missing: readonly Condition[] = [],
): Params | false {
  const params: Params = {};
  const ok =
    has.every((item) => holds(item, input, params)) &&
    !missing.some((item) => holds(item, input, {}));
  return ok ? params : false;
}

const CONDITION_TYPES = new Set(["header", "cookie", "query", "host"]);

/** What is wrong with a `has`/`missing` list, as Next's checkCustomRoutes says it; undefined when nothing. */
export function checkConditions(list: unknown, field: "has" | "missing"): string | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return `\`${field}\` must be an array`;
  for (const item of list as unknown[]) {
    const { type, key, value } = (item ?? {}) as Record<string, unknown>;
    if (typeof type !== "string" || !CONDITION_TYPES.has(type))
      return `invalid \`${field}\` item ${JSON.stringify(item)}: \`type\` must be one of header, cookie, query, host`;
    if (type !== "host" && typeof key !== "string")
      return `invalid \`${field}\` item ${JSON.stringify(item)}: \`key\` must be a string`;
    if (value !== undefined && typeof value !== "string")
      return `invalid \`${field}\` item ${JSON.stringify(item)}: \`value\` must be a string`;
    if (typeof value === "string") {
      try {
        new RegExp(`^${value}$`);
      } catch (error) {
        return `invalid \`${field}\` value ${JSON.stringify(value)}: ${(error as Error).message}`;
      }
    }
  }
  return undefined;
}
