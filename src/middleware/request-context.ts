import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { createLineWriter } from "../http/log-line";
import { closeAfterResponse, sendJsonError } from "../http/json-error";
import { checkRequestFraming } from "../http/request-framing";
import { releaseIdleTimer } from "../http/outside-requests";
import { loggedUrl, requestState, type RequestState } from "../http/request-state";
import type { UrlRedactor } from "../http/redact-url";

/** Health probes run every few seconds: their lines go to debug, not info. */
const QUIET_PATHS = new Set(["/healthz", "/readyz"]);

function isQuiet(url: string): boolean {
  if (url.charCodeAt(1) === 0x61 /* "/a…": the API */) return false;
  const queryStart = url.indexOf("?");
  return QUIET_PATHS.has(queryStart === -1 ? url : url.slice(0, queryStart));
}

const requestScope = new AsyncLocalStorage<RequestState>();

/**
 * The state of the request on whose behalf the current code runs, through every callback, timer
 * and promise its handling started (the process's uncaughtException handler reads it to tell a
 * request's failure from the process's own); undefined outside any request.
 */
export function currentRequestScope(): RequestState | undefined {
  return requestScope.getStore();
}

type ContextRequest = IncomingMessage & { id: string; originalUrl?: string; ip?: string };

/** An assignment (pino-http and request-id middleware set `req.id`, `req.log`) shadows the getter. */
function shadow(name: string) {
  return function (this: object, value: unknown): void {
    Object.defineProperty(this, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    });
  };
}

/** `req.id` and `req.log` (a child logger carrying the request id, made on first use only). */
export function installRequestLog(proto: object, logger: Logger): void {
  Object.defineProperties(proto, {
    id: {
      configurable: true,
      get(this: IncomingMessage) {
        return requestState(this).id;
      },
      set: shadow("id"),
    },
    log: {
      configurable: true,
      get(this: IncomingMessage) {
        const state = requestState(this);
        return (state.log ??= logger.child({ reqId: state.id }));
      },
      set: shadow("log"),
    },
  });
}

/**
 * Gives every request an id (the client's X-Request-Id when safe, else a UUID), echoes it in the
 * response, and writes one log line when the exchange ends, completed or aborted. The line is
 * written by the root logger with the id as a field: no child logger per request. A request whose
 * framing no handler should see is refused here (see http/request-framing.ts), and its
 * connection answers nothing more; every other one runs the rest of the stack inside its scope.
 */
export function createRequestContext(logger: Logger, redactUrl: UrlRedactor) {
  const writeLine = createLineWriter(logger, "request completed");
  function logCompleted(this: ServerResponse): void {
    const req = this.req as ContextRequest;
    const state = requestState(req);
    // Timers the request started may outlive it: they keep its id and route, not the request.
    state.req = undefined;
    // An upgrade's line is written when its WebSocket closes: the duration is the connection's.
    const finished = this.writableFinished || state.websocket !== undefined;
    const line = {
      reqId: state.id,
      method: req.method,
      url: loggedUrl(req),
      status: this.statusCode,
      durationMs: Math.round((performance.now() - state.startedAt) * 1000) / 1000,
      // Without X-Forwarded-For, `req.ip` is the socket's address whatever TRUST_PROXY says.
      remoteAddress:
        req.headers["x-forwarded-for"] === undefined ? req.socket?.remoteAddress : req.ip,
      // The client went away before the response was complete: which route kept it waiting.
      aborted: finished ? undefined : true,
      timedOut: state.timedOut || undefined,
      route: finished ? undefined : state.route?.file,
      websocketCloseCode: state.websocket?.closeCode,
      trace_id: state.traceId,
      span_id: state.spanId,
    };
    writeLine(isQuiet(req.url ?? "") ? "debug" : "info", line);
    // node:http re-armed the connection's keep-alive timer in this request's scope.
    releaseIdleTimer(req.socket);
  }

  return function requestContext(
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): void {
    const state = requestState(req);
    state.redactUrl = redactUrl;
    res.setHeader("X-Request-Id", state.id);
    // `on`, not `once`: a response closes once, and `once` allocates a wrapper per request.
    res.on("close", logCompleted);
    const refusal = checkRequestFraming(req);
    if (refusal) {
      closeAfterResponse(req, res);
      return sendJsonError(req, res, refusal.status, refusal.message);
    }
    requestScope.run(state, next);
  };
}
