import type { IncomingMessage, ServerResponse as NodeResponse } from "node:http";
import { sendJsonError } from "../http/json-error";
import { requestState, type RouteRef } from "../http/request-state";
import type { ServerRequest, ServerResponse } from "../http/server-request";
import type { LazyRoute, Route } from "../loader/load-routes";
import { formatExpressPath } from "../loader/route-pattern";
import { isNextApiRequest, setRouteParams } from "../next/request";
import { isNextApiResponse } from "../next/response";
import { composeMiddleware } from "../middleware/compose";
import type { Middleware } from "../types";
import { decodeSegments, normalizeRequestPath } from "./request-path";
import { RouteTree, type Match } from "./route-tree";
import { maxDurationOf, withDeadline } from "./deadline";
import { createRouteRunner, SKIP, type RouteRunner } from "./run-route";
import type { WebRunnerOptions } from "./run-web-route";

/** A route with its request runner, composed once. */
interface Entry {
  readonly segments: Route["segments"];
  /** What `req.route` shows; a lazy route's methods are known once it is loaded. */
  ref: RouteRef;
  readonly run: RouteRunner;
}

function isLazy(route: Route | LazyRoute): route is LazyRoute {
  return "load" in route;
}

const ALL_METHODS = Object.freeze({ _all: true as const });

/** Express's `route.methods`: the exported methods, or `_all` for a handler of every method. */
function methodsOf(route: Route): Readonly<Record<string, true>> {
  const { methods, handler } = route.endpoints;
  if (handler || methods.length === 0) return ALL_METHODS;
  return Object.freeze(Object.fromEntries(methods.map((m) => [m.toLowerCase(), true as const])));
}

function toRef(route: Route | LazyRoute): RouteRef {
  return Object.freeze({
    path: formatExpressPath(route.segments, route.mount),
    pattern: route.pattern,
    file: route.file,
    methods: isLazy(route) ? ALL_METHODS : methodsOf(route),
    kind: route.kind,
  });
}

/** The route's segments below the dispatcher's prefix: a pages route's own prefix (`/api`) first, when the dispatcher serves every path. */
function segmentsBelow(route: Route | LazyRoute, prefix: string): Route["segments"] {
  if (route.mount === prefix) return route.segments;
  const mount = route.mount
    .split("/")
    .filter(Boolean)
    .map((value) => ({ kind: "static" as const, value }));
  return [...mount, ...route.segments];
}

/** A next.config rewrite phase: the request gets another URL ("internal"), was answered, or nothing matched. */
export type RewritePhase = (
  req: IncomingMessage,
  res: NodeResponse,
  next: (error?: unknown) => void,
) => "internal" | "answered" | undefined;

export interface DispatcherOptions extends WebRunnerOptions {
  /** MAX_DURATION_S: how long a route may run when it sets no maxDuration of its own; 0: no limit. */
  readonly maxDurationS?: number;
  /** What runs before a route, before its body is read (a rate limit), chosen once per route; undefined: nothing. */
  readonly guard?: (route: Route) => Middleware | undefined;
  /** next.config `rewrites().afterFiles` (after static routes, before dynamic ones) and `fallback` (after every route). */
  readonly afterFiles?: RewritePhase;
  readonly fallback?: RewritePhase;
}

/** How far a request went through the rewrite phases: each runs once. */
const START = 0;
const AFTER_FILES = 1;
const FALLBACK = 2;

/** The route's runner, behind its guard when it has one. */
function createRunner(route: Route, options: DispatcherOptions): RouteRunner {
  const run = withDeadline(
    route,
    maxDurationOf(route, options.maxDurationS ?? 0),
    createRouteRunner(route, options),
  );
  const guard = options.guard?.(route);
  return guard ? composeMiddleware([guard], run) : run;
}

function toEntry(route: Route | LazyRoute, prefix: string, options: DispatcherOptions): Entry {
  const segments = segmentsBelow(route, prefix);
  if (!isLazy(route)) return { segments, ref: toRef(route), run: createRunner(route, options) };
  // A lazy route: the first request imports the module and composes the real runner.
  let run: RouteRunner | undefined;
  let loading: Promise<RouteRunner> | undefined;
  const entry: Entry = {
    segments,
    ref: toRef(route),
    run: (req, res, done) => {
      if (run) return run(req, res, done);
      loading ??= route.load().then((loaded) => {
        entry.ref = toRef(loaded);
        requestState(req).route = entry.ref;
        req.route = entry.ref;
        return (run = createRunner(loaded, options));
      });
      loading.then((ready) => ready(req, res, done), done);
    },
  };
  return entry;
}

function staticPath(segments: Route["segments"], prefix: string): string | undefined {
  if (!segments.every((s) => s.kind === "static")) return undefined;
  return [prefix, ...segments.map((s) => (s.kind === "static" ? s.value : ""))].join("/") || "/";
}

/** Next's 308 for a trailing slash, repeated slashes or backslashes; the body is the destination. */
function redirectPermanently(res: NodeResponse, location: string): void {
  res.statusCode = 308;
  res.setHeader("Location", location);
  res.setHeader("Refresh", `0;url=${location}`);
  res.end(location);
}

/**
 * The one dispatcher for every route: a Map for static paths, then a segment tree, both built here
 * once with each route's runner. It serves `/api` (the routes folder's prefix), or every path
 * when there are app routes (which live at their folders' paths), with Next's normalisation (308
 * for a trailing slash, 400 for malformed encoding) there. A match gets what Express gives a
 * matched route (`req.params`, `req.route`) and Next's params in `req.query`; requests outside
 * the prefix, unmatched ones and `next("route")` go on to `next()`.
 */
export function createDispatcher(
  routes: readonly (Route | LazyRoute)[],
  options: DispatcherOptions,
) {
  const prefix = routes.some((route) => route.mount === "") ? "" : "/api";
  const entries = routes.map((route) => toEntry(route, prefix, options));
  const tree = new RouteTree(entries);
  const statics = new Map<string, Match<Entry>>();
  for (const entry of entries) {
    const path = staticPath(entry.segments, prefix);
    if (path !== undefined) statics.set(path, { route: entry, params: undefined });
  }

  const { afterFiles, fallback } = options;

  /** A rewrite phase: true when it took the request (routed again under its new URL, or answered). */
  function rewrite(
    req: ServerRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
    phase: RewritePhase | undefined,
    reached: number,
  ): boolean {
    if (!phase) return false;
    const outcome = phase(req, res, next);
    if (outcome === "internal") route(req, res, next, reached);
    return outcome !== undefined;
  }

  function route(
    req: ServerRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
    stage: number,
  ): void {
    const target = normalizeRequestPath(req.url ?? "/", prefix);
    if (target.kind === "outside") {
      if (stage < AFTER_FILES && rewrite(req, res, next, afterFiles, AFTER_FILES)) return;
      if (stage < FALLBACK && rewrite(req, res, next, fallback, FALLBACK)) return;
      return next();
    }
    if (target.kind === "redirect") return redirectPermanently(res, target.location);
    let match = statics.get(target.pathname);
    if (!match) {
      // afterFiles: after the files (static routes), before the dynamic ones.
      if (stage < AFTER_FILES && rewrite(req, res, next, afterFiles, AFTER_FILES)) return;
      const segments = decodeSegments(target.pathname, prefix);
      if (!segments) return sendJsonError(req, res, 400, "Bad Request");
      match = tree.match(segments);
      if (!match) {
        if (stage < FALLBACK && rewrite(req, res, next, fallback, FALLBACK)) return;
        return next();
      }
    }
    const entry = match.route;
    requestState(req).route = entry.ref;
    setRouteParams(req, match.params);
    req.params = match.params ?? {};
    req.route = entry.ref;
    // Always true for what createApp's handler runs (its prototypes carry Next's request and response).
    if (!isNextApiRequest(req) || !isNextApiResponse(res))
      return next(new Error("a request reached the routes without createApp's request handler"));
    entry.run(req, res, (error) => {
      if (error === SKIP) next();
      else if (error !== undefined) next(error);
    });
  }

  return function dispatch(
    req: ServerRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    route(req, res, next, START);
  };
}
