import type { Route } from "../loader/load-routes";
import { middlewareName } from "../loader/middleware-list";
import { isAuthenticateMiddleware } from "../middleware/authenticate";
import { wrappedMiddleware } from "../middleware/compose";
import type { Middleware } from "../types";

/** One line of `nextpress routes`: plain data, also the `--json` output. */
export interface RouteRow {
  pattern: string;
  /** `pages` (routes/, (req, res)), `edge` (routes/ with runtime 'edge'), `app` (app/**\/route.ts). */
  style: string;
  /** The methods it answers; "ANY" for a Next-style default export. */
  methods: string[];
  file: string;
  /** The middleware chain in run order, by function name. */
  middleware: string[];
  protected: boolean;
  schema: boolean;
  /** "off" when `bodyParser: false`. */
  bodyLimit: string;
}

/** Everything that runs before a route's handlers: its chain, endpoint middleware, withMiddleware's. */
function routeMiddleware(route: Route): Middleware[] {
  const endpoints = [...route.endpoints.byMethod.values(), route.endpoints.fallback];
  const extra = endpoints.flatMap((e) => [...e.middleware, ...wrappedMiddleware(e.handler)]);
  return [...route.chain, ...new Set(extra)];
}

export function isProtected(route: Route): boolean {
  return routeMiddleware(route).some(isAuthenticateMiddleware);
}

export function toRouteRow(route: Route): RouteRow {
  const { endpoints, settings } = route;
  let methods = ["ANY"];
  if (endpoints.allow !== undefined) methods = endpoints.allow.split(", ");
  else if (endpoints.methods.length > 0) methods = [...endpoints.methods, "ANY"];
  // A WebSocket route: `WS` among its methods (the upgrade, with WEBSOCKETS=on).
  if (endpoints.websocket) methods = [...methods, "WS"];
  const schema = [...endpoints.byMethod.values(), endpoints.fallback].some(
    (e) => e.schema !== undefined,
  );
  let bodyLimit = "off";
  if (route.web) bodyLimit = route.web.bodyLimit.text;
  else if (settings.bodyParser) bodyLimit = settings.bodyParser.limitText;
  return {
    pattern: route.pattern,
    style: route.kind,
    methods,
    file: route.file,
    middleware: routeMiddleware(route).map(middlewareName),
    protected: isProtected(route),
    schema,
    bodyLimit,
  };
}

/** The rows as an aligned text table. */
export function formatRouteTable(rows: readonly RouteRow[]): string {
  const header = [
    "ROUTE",
    "STYLE",
    "METHODS",
    "FILE",
    "MIDDLEWARE",
    "AUTH",
    "SCHEMA",
    "BODY LIMIT",
  ];
  const cells = rows.map((r) => [
    r.pattern,
    r.style,
    r.methods.join(","),
    r.file,
    r.middleware.join(" → ") || "-",
    r.protected ? "yes" : "no",
    r.schema ? "yes" : "no",
    r.bodyLimit,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
