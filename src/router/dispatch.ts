import type { NextFunction, Request, Response } from "express";
import type { LazyRoute, Route } from "../loader/load-routes";
import { sendJsonError } from "../middleware/error-handler";
import { createRouteRunner } from "../next/api-resolver";
import { setRouteParams } from "../next/request";
import { decodeSegments, normalizeRequestPath } from "./request-path";
import { RouteTree, type Match } from "./route-tree";

type RouteRunner = ReturnType<typeof createRouteRunner>;

/** A route with its request runner, composed once. */
interface Entry {
  readonly route: Route | LazyRoute;
  readonly segments: Route["segments"];
  readonly run: RouteRunner;
}

/** A lazy route's runner: the first request imports the module and composes the real runner. */
function lazyRunner(route: LazyRoute): RouteRunner {
  let run: RouteRunner | undefined;
  let loading: Promise<RouteRunner> | undefined;
  return (req, res, next) => {
    if (run) return run(req, res, next);
    loading ??= route.load().then((loaded) => (run = createRouteRunner(loaded)));
    loading.then((ready) => ready(req, res, next), next);
  };
}

function isLazy(route: Route | LazyRoute): route is LazyRoute {
  return "load" in route;
}

function staticPath(route: Route | LazyRoute, prefix: string): string | undefined {
  if (!route.segments.every((s) => s.kind === "static")) return undefined;
  return [prefix, ...route.segments.map((s) => (s.kind === "static" ? s.value : ""))].join("/");
}

/** Next's 308 for a trailing slash, repeated slashes or backslashes; the body is the destination. */
function redirectPermanently(res: Response, location: string): void {
  res.statusCode = 308;
  res.setHeader("Location", location);
  res.setHeader("Refresh", `0;url=${location}`);
  res.end(location);
}

/**
 * The one dispatcher for every route under `prefix`: a Map for static paths, then a segment tree,
 * both built here once with each route's runner. Requests outside the prefix, and unmatched ones,
 * go on to `next()`.
 */
export function createDispatcher(routes: readonly (Route | LazyRoute)[], prefix = "/api") {
  const entries: Entry[] = routes.map((route) => ({
    route,
    segments: route.segments,
    run: isLazy(route) ? lazyRunner(route) : createRouteRunner(route),
  }));
  const tree = new RouteTree(entries);
  const statics = new Map<string, Match<Entry>>();
  for (const entry of entries) {
    const path = staticPath(entry.route, prefix);
    if (path !== undefined) statics.set(path, { route: entry, params: undefined });
  }

  return function dispatch(req: Request, res: Response, next: NextFunction): void {
    const target = normalizeRequestPath(req.url, prefix);
    if (target.kind === "outside") return next();
    if (target.kind === "redirect") return redirectPermanently(res, target.location);
    let match = statics.get(target.pathname);
    if (!match) {
      const segments = decodeSegments(target.pathname, prefix);
      if (!segments) return sendJsonError(req, res, 400, "Bad Request");
      match = tree.match(segments);
      if (!match) return next();
    }
    setRouteParams(req, match.params);
    (req as { routeFile?: string }).routeFile = match.route.route.file;
    match.route.run(req, res, next);
  };
}
