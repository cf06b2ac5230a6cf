import type { NextFunction, Request, Response } from "express";
import { JSON_CONTENT_TYPE } from "../http/json-error";

/** The process's place in its life: routes are loaded before the app exists, draining starts on SIGTERM. */
export interface Lifecycle {
  draining: boolean;
}

function sendStatus(res: Response, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

const ALIVE = JSON.stringify({ status: "ok" });
const READY = JSON.stringify({ status: "ready" });
const DRAINING = JSON.stringify({ status: "draining" });

/**
 * GET/HEAD /healthz: the process is up and answering. GET/HEAD /readyz: 200 once the routes are
 * loaded (the app exists), 503 while draining for shutdown. Outside /api, no auth.
 */
export function createHealthChecks(lifecycle: Lifecycle) {
  return function healthChecks(req: Request, res: Response, next: NextFunction): void {
    const url = req.url;
    if (url.charCodeAt(1) === 0x61 /* a */ || (req.method !== "GET" && req.method !== "HEAD")) return next();
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (path === "/healthz") return sendStatus(res, 200, ALIVE);
    if (path === "/readyz") return sendStatus(res, lifecycle.draining ? 503 : 200, lifecycle.draining ? DRAINING : READY);
    next();
  };
}
