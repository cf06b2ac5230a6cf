import type { ServerResponse } from "node:http";
import type { ServerRequest } from "../http/server-request";
import { sendJsonError } from "../http/json-error";
import { requestState } from "../http/request-state";
import type { RequestLayerConfig, RequestRule, RewriteRule } from "../loader/next-config";
import { matchConditions, type Params } from "../loader/request-match";
import { normalizeRequestPath } from "./request-path";
import { proxyExternally } from "./run-proxy";

// next.config's request layer in Next's order (server/lib/router-utils/resolve-routes.ts): slash
// normalisation, headers(), redirects(), then (after the proxy) beforeFiles rewrites here, and
// afterFiles / fallback rewrites in the dispatcher.

type LayerRequest = ServerRequest;
type Next = (error?: unknown) => void;

/** What a rewrite did: the request now has another URL, it was answered (proxied), or nothing. */
export type RewriteOutcome = "internal" | "answered" | undefined;

interface Target {
  pathname: string;
  query: URLSearchParams;
}

function splitUrl(url: string): Target {
  const queryStart = url.indexOf("?");
  return {
    pathname: queryStart === -1 ? url : url.slice(0, queryStart),
    query: new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1)),
  };
}

/** The rule's params when its source and conditions hold for this path. */
function matchRule(rule: RequestRule, req: LayerRequest, target: Target): Params | false {
  const params = rule.match(target.pathname);
  if (!params) return false;
  if (!rule.has && !rule.missing) return params;
  const found = matchConditions(
    { headers: req.headers, query: target.query },
    rule.has,
    rule.missing,
  );
  return found ? { ...params, ...found } : false;
}

const PARAM = /:([A-Za-z_]\w*)[*+?]?/g;

function paramText(value: string | string[] | undefined): string {
  if (value === undefined) return "";
  return Array.isArray(value) ? value.map(encodeURIComponent).join("/") : encodeURIComponent(value);
}

/** The destination with `:params` put in, and the names it used. */
function substitute(destination: string, params: Params): { url: string; used: Set<string> } {
  const used = new Set<string>();
  const url = destination.replace(PARAM, (_whole, name: string) => {
    used.add(name);
    return paramText(params[name]);
  });
  return { url, used };
}

function isExternal(url: string): boolean {
  return !url.startsWith("/");
}

/** The query the request brings, the destination's on top, then (rewrites) the params it did not use. */
function mergedQuery(request: URLSearchParams, destination: URLSearchParams): URLSearchParams {
  const query = new URLSearchParams(request);
  for (const key of new Set(destination.keys())) query.delete(key);
  for (const [key, value] of destination) query.append(key, value);
  return query;
}

function withQuery(pathname: string, query: URLSearchParams): string {
  const search = query.toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** Next's redirect answer: Location, the Location as body, Refresh on a 308. */
function sendRedirect(res: ServerResponse, status: number, location: string): void {
  res.statusCode = status;
  res.setHeader("Location", location);
  if (status === 308) res.setHeader("Refresh", `0;url=${location}`);
  res.end(location);
}

/**
 * The first rewrite of `rules` that matches: the request's URL becomes its destination (query
 * merged, unused params added), or an external destination is proxied.
 */
export function applyRewrites(
  rules: readonly RewriteRule[],
  req: LayerRequest,
  res: ServerResponse,
  next: Next,
): RewriteOutcome {
  const target = splitUrl(req.url ?? "/");
  for (const rule of rules) {
    const params = matchRule(rule, req, target);
    if (!params) continue;
    const { url, used } = substitute(rule.destination, params);
    const parsed = new URL(url, "http://n");
    const query = mergedQuery(target.query, parsed.searchParams);
    let arrays: Params | undefined;
    for (const [name, value] of Object.entries(params)) {
      if (used.has(name) || /^\d+$/.test(name) || query.has(name)) continue;
      if (Array.isArray(value)) {
        query.set(name, value.join("/"));
        (arrays ??= {})[name] = value;
      } else query.set(name, value);
    }
    if (isExternal(url)) {
      const external = new URL(url);
      external.search = query.toString();
      proxyExternally(req, res, external, new Headers()).catch(next);
      return "answered";
    }
    // A pages route sees the client's URL, and the destination's query with catch-alls as arrays.
    const state = requestState(req);
    state.clientUrl ??= req.url;
    if (arrays) state.rewriteParams = { ...state.rewriteParams, ...arrays };
    req.url = withQuery(parsed.pathname, query);
    return "internal";
  }
  return undefined;
}

/**
 * The step for next.config: the basePath (requests outside it are 404, the rest routed without
 * it), `trailingSlash`'s 308 either way, `headers()` (every matching rule, the last value for a
 * key wins), `redirects()` (the first that matches answers, without those headers), then the
 * proxy runs and `beforeFiles` rewrites follow (createBeforeFilesStep).
 */
export function createRequestLayerStep(config: RequestLayerConfig) {
  const { basePath, trailingSlash, headers, redirects } = config;

  return function requestLayer(req: LayerRequest, res: ServerResponse, next: Next): void {
    const url = req.url ?? "/";
    const full = splitUrl(url);
    const search = url.slice(full.pathname.length);
    // Slash normalisation first, as Next: a 308 either way, then the path routed without the slash.
    if (trailingSlash) {
      const last = full.pathname.slice(full.pathname.lastIndexOf("/") + 1);
      if (!full.pathname.endsWith("/") && !last.includes("."))
        return sendRedirect(res, 308, `${full.pathname}/${search}`);
      if (full.pathname !== "/" && full.pathname.endsWith("/"))
        full.pathname = full.pathname.slice(0, -1);
    } else {
      const normalized = normalizeRequestPath(url, "");
      if (normalized.kind === "redirect") return sendRedirect(res, 308, normalized.location);
    }
    const underBase =
      basePath === "" || full.pathname === basePath || full.pathname.startsWith(`${basePath}/`);
    const inside: Target = {
      pathname: underBase ? full.pathname.slice(basePath.length) || "/" : full.pathname,
      query: full.query,
    };
    const targetFor = (rule: RequestRule) => (rule.basePath ? inside : full);
    const applies = (rule: RequestRule) => (rule.basePath ? underBase : true);
    const collected: [string, string][] = [];
    for (const rule of headers) {
      if (!applies(rule)) continue;
      const params = matchRule(rule, req, targetFor(rule));
      if (!params) continue;
      for (const { key, value } of rule.headers)
        collected.push([substitute(key, params).url, substitute(value, params).url]);
    }
    for (const rule of redirects) {
      if (!applies(rule)) continue;
      const params = matchRule(rule, req, targetFor(rule));
      if (!params) continue;
      const { url: destination } = substitute(rule.destination, params);
      const parsed = new URL(destination, "http://n");
      const query = mergedQuery(full.query, parsed.searchParams);
      const prefix = rule.basePath && !isExternal(destination) ? basePath : "";
      const location =
        (isExternal(destination)
          ? withQuery(`${parsed.origin}${parsed.pathname}`, query)
          : withQuery(prefix + parsed.pathname, query)) + parsed.hash;
      return sendRedirect(res, rule.statusCode, location);
    }
    if (!underBase) return sendJsonError(req, res, 404, "Not Found");
    for (const [key, value] of collected) res.setHeader(key, value);
    const original = splitUrl(url).pathname;
    if (inside.pathname !== original) {
      // A pages route's req.url keeps the trailing slash and loses the basePath, as in Next.
      requestState(req).clientUrl = (original.slice(basePath.length) || "/") + search;
      req.url = inside.pathname + search;
    }
    if (basePath !== "") requestState(req).basePath = basePath;
    next();
  };
}

/** `rewrites().beforeFiles`, after the proxy: they may override a file route. */
export function createBeforeFilesStep(rules: readonly RewriteRule[]) {
  return function beforeFiles(req: LayerRequest, res: ServerResponse, next: Next): void {
    if (applyRewrites(rules, req, res, next) !== "answered") next();
  };
}
