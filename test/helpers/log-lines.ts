import type { TestApp } from "./app";

let sequence = 0;

/** A unique, safe X-Request-Id, so a test can pick its own log lines out of a shared app's. */
export function newRequestId(label: string): string {
  sequence += 1;
  return `${label}-${sequence}`;
}

/** The JSON log lines written for one request id. */
export function linesFor(logs: TestApp["logs"], reqId: string): Record<string, unknown>[] {
  return logs.lines.filter((line) => line.reqId === reqId);
}

/** pino's numeric levels. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
