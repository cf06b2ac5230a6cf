import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { sendJsonError } from "../http/json-error";
import { outsideRequests } from "../http/outside-requests";
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

interface Pending {
  readonly req: NextApiRequest;
  readonly res: NextApiResponse;
  readonly route: Route;
  readonly seconds: number;
  /** performance.now() at which the route has run too long. */
  readonly at: number;
  prev: Pending | undefined;
  next: Pending | undefined;
}

/**
 * Requests with a deadline, in a list checked by one shared timer rather than a timer per request;
 * a request leaves when its response closes (held longer, finished requests would outlive the
 * young generation and cost the garbage collector more than the timers did). A list linked
 * through its entries, not a Map: a long-lived Map that every request adds to and deletes from
 * rehashes its table in the old generation, garbage that only a full collection frees.
 */
let first: Pending | undefined;
let last: Pending | undefined;
/** How often the timer checks: a tenth of the shortest maxDuration, between 10 ms and 1 s. */
let checkEveryMs = 1000;
let timer: NodeJS.Timeout | undefined;

// This module's own symbol, not Symbol.for: a second copy of nextpress in the process keeps its
// own list, and must never unlink this copy's entries from it.
const kPending = Symbol("nextpress.deadline");

type WithPending = NextApiResponse & { [kPending]?: Pending };

function add(entry: Pending): void {
  // A response that runs a second route (a rewrite) keeps only the later deadline, as a Map would.
  const earlier = (entry.res as WithPending)[kPending];
  if (earlier) remove(earlier);
  entry.prev = last;
  if (last) last.next = entry;
  else first = entry;
  last = entry;
  (entry.res as WithPending)[kPending] = entry;
}

function remove(entry: Pending): void {
  if (entry.prev) entry.prev.next = entry.next;
  else first = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  else last = entry.prev;
  entry.prev = entry.next = undefined;
  // Not `delete`: that would turn the response into a slow dictionary-mode object.
  (entry.res as WithPending)[kPending] = undefined;
}

/**
 * expire(), which must never throw out of the shared timer: an exception there would stop every
 * later deadline and, outside any request, end the process. A response it cannot answer is closed.
 */
function expireSafely({ req, res, route, seconds }: Pending): void {
  try {
    expire(req, res, route, seconds);
  } catch (error) {
    res.destroy();
    req.log.error(
      { err: error, route: route.file, maxDurationS: seconds },
      "route ran past its maxDuration and its response could not be answered: closed",
    );
  }
}

function checkDeadlines(): void {
  timer = undefined;
  const now = performance.now();
  for (let entry = first; entry !== undefined;) {
    const next = entry.next;
    if (entry.at <= now) {
      remove(entry);
      expireSafely(entry);
    }
    entry = next;
  }
  armTimer();
}

function forget(this: WithPending): void {
  const entry = this[kPending];
  if (entry) remove(entry);
}

function startTimer(ms: number): void {
  // Unreferenced: a pending deadline never keeps a process alive that has nothing else to do.
  timer = setTimeout(checkDeadlines, ms).unref();
}

function armTimer(): void {
  if (timer !== undefined || first === undefined) return;
  // Outside the request that arms it: the shared timer must not keep that request's scope alive.
  outsideRequests(startTimer, checkEveryMs);
}

/** `run` with the route's deadline; `seconds` 0 runs it without one. */
export function withDeadline(route: Route, seconds: number, run: RouteRunner): RouteRunner {
  if (!(seconds > 0)) return run;
  const ms = seconds * 1000;
  checkEveryMs = Math.min(checkEveryMs, Math.max(10, ms / 10));
  return function runWithDeadline(req, res, done) {
    // A response already closed (the client left while an earlier step waited, say on Redis for a
    // rate limit) has nobody to answer and no "close" left to come: it gets no deadline, which
    // would otherwise stay listed and, past maxDuration, answer a response that had ended.
    if (!res.closed) {
      add({
        req,
        res,
        route,
        seconds,
        at: performance.now() + ms,
        prev: undefined,
        next: undefined,
      });
      // `on`, not `once`: a response closes once, and `once` allocates a wrapper per request.
      res.on("close", forget);
      armTimer();
    }
    run(req, res, done);
  };
}
