import type { ServerResponse } from "node:http";
import { sendJsonError } from "../http/json-error";
import { requestState } from "../http/request-state";
import type { Route } from "../loader/load-routes";
import type { NextApiRequest, NextApiResponse } from "../types";
import type { RouteRunner } from "./run-route";

/** A route's `maxDuration` in seconds: its own (pages `config.maxDuration`, app `export const maxDuration`), else the server's. */
export function maxDurationOf(route: Route, serverSeconds: number): number {
  const own = route.kind === "app" ? route.web?.maxDuration : route.settings.maxDuration;
  return own ?? serverSeconds;
}

function returnThis(this: ServerResponse): ServerResponse {
  return this;
}

/** What the handler writes after its deadline goes nowhere, silently: the client has its answer. */
function dropLaterWrites(res: ServerResponse): void {
  const target = res as unknown as Record<string, unknown>;
  for (const name of ["setHeader", "appendHeader", "removeHeader", "writeHead", "flushHeaders"])
    target[name] = returnThis;
  target.write = () => true;
  target.end = function end(this: ServerResponse, ...args: unknown[]) {
    const callback = args.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return this;
  };
}

/**
 * Answers the request 504 when its route has run longer than `seconds` (pages and edge routes:
 * `{"message":"Gateway Timeout"}`; app routes: an empty body, as Next's own answers): the
 * request's `signal` aborts (a TimeoutError), what the handler writes later is dropped, and a
 * response already started is closed (the connection ends, so the client sees it cut short).
 */
function expire(req: NextApiRequest, res: NextApiResponse, route: Route, seconds: number): void {
  const state = requestState(req);
  state.timedOut = true;
  const started = res.headersSent;
  req.log.warn(
    { route: route.file, maxDurationS: seconds },
    started
      ? `route ran past its maxDuration (${seconds} s): its response was cut short`
      : `route ran past its maxDuration (${seconds} s): answered 504`,
  );
  if (started) res.destroy();
  else if (route.kind === "app") {
    res.statusCode = 504;
    res.setHeader("Content-Length", 0);
    res.end();
  } else sendJsonError(req, res, 504, "Gateway Timeout");
  dropLaterWrites(res);
}

/** `run` with the route's deadline; `seconds` 0 runs it without one. */
export function withDeadline(route: Route, seconds: number, run: RouteRunner): RouteRunner {
  if (!(seconds > 0)) return run;
  const ms = seconds * 1000;
  return function runWithDeadline(req, res, done) {
    const timer = setTimeout(expire, ms, req, res, route, seconds);
    res.once("close", () => clearTimeout(timer));
    run(req, res, done);
  };
}
