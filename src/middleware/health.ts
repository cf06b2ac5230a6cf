import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { JSON_CONTENT_TYPE } from "../http/json-error";

/** The process's place in its life: routes are loaded before the app exists, draining starts on SIGTERM. */
export interface Lifecycle {
  draining: boolean;
}

export interface HealthOptions {
  /** The app's own readiness (instrumentation's `ready`): false or a throw makes /readyz 503. */
  ready?: () => unknown;
  /** How long `ready` may take before it counts as not ready. */
  readyTimeoutMs: number;
  logger: Logger;
  /** WEBSOCKETS=on: open connections, reported by /readyz, which answers 503 at the cap. */
  websockets?: { open: () => number; max: number };
}

function sendStatus(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

const ALIVE = JSON.stringify({ status: "ok" });
const READY = JSON.stringify({ status: "ready" });
const DRAINING = JSON.stringify({ status: "draining" });
const UNAVAILABLE = JSON.stringify({ status: "unavailable" });

const TIMED_OUT = Symbol("timed out");

/** `ready()` within `timeoutMs`: true, or why not (false, a throw, too slow). */
async function checkReady(ready: () => unknown, timeoutMs: number): Promise<true | string | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(ready), timeout]);
    if (answer === TIMED_OUT) return `ready() did not answer within ${timeoutMs} ms`;
    return answer === false ? "ready() returned false" : true;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET/HEAD /healthz: the process is up and answering. GET/HEAD /readyz: 200 once the routes are
 * loaded (the app exists) and the app's own `ready()` says so, 503 while draining for shutdown or
 * while `ready()` says no (logged at warn with why). Outside /api, no auth.
 */
export function createHealthChecks(lifecycle: Lifecycle, options: HealthOptions) {
  const { ready, readyTimeoutMs, logger, websockets } = options;
  return function healthChecks(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const url = req.url ?? "";
    if (url.charCodeAt(1) === 0x61 /* a */ || (req.method !== "GET" && req.method !== "HEAD"))
      return next();
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (path === "/healthz") return sendStatus(res, 200, ALIVE);
    if (path !== "/readyz") return next();
    if (lifecycle.draining) return sendStatus(res, 503, DRAINING);
    if (websockets && websockets.open() >= websockets.max)
      return sendStatus(
        res,
        503,
        JSON.stringify({ status: "full", websockets: websockets.open() }),
      );
    const readyBody = websockets
      ? () => JSON.stringify({ status: "ready", websockets: websockets.open() })
      : () => READY;
    if (!ready) return sendStatus(res, 200, readyBody());
    void checkReady(ready, readyTimeoutMs).then((answer) => {
      if (answer === true)
        return lifecycle.draining
          ? sendStatus(res, 503, DRAINING)
          : sendStatus(res, 200, readyBody());
      logger.warn(
        typeof answer === "string" ? { reason: answer } : { err: answer },
        "not ready: /readyz answers 503",
      );
      sendStatus(res, 503, UNAVAILABLE);
    });
  };
}
