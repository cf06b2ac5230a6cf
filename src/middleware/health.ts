import type { Request, Response } from "express";
import { JSON_CONTENT_TYPE } from "../next/response";

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

/** GET /healthz: the process is up and answering. Outside /api, no auth. */
export function liveness(_req: Request, res: Response): void {
  sendStatus(res, 200, ALIVE);
}

/** GET /readyz: 200 once the routes are loaded (the app exists), 503 while draining for shutdown. */
export function createReadiness(lifecycle: Lifecycle) {
  return function readiness(_req: Request, res: Response): void {
    if (lifecycle.draining) sendStatus(res, 503, DRAINING);
    else sendStatus(res, 200, READY);
  };
}
