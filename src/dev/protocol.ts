import type { Config } from "../config";

/** A route or `_middleware` file that failed to load; the worker serves its error instead. */
export interface FailedFile {
  /** `/`-separated, relative to the routes folder. */
  readonly file: string;
  /** The loader's reason, stack included. */
  readonly reason: string;
}

/** Supervisor → worker. */
export type SupervisorMessage =
  | { readonly type: "serve"; readonly config: Config; readonly failed: readonly FailedFile[] }
  | { readonly type: "drain" };

/** Worker → supervisor. */
export type WorkerMessage =
  /** Booted, nothing of the routes folder loaded yet: ready to be told to serve. */
  | { readonly type: "standby" }
  /** Listening. `tableError`: the route table could not be built, every /api request answers it. */
  | {
      readonly type: "ready";
      readonly port: number;
      readonly routes: number;
      readonly failed: readonly FailedFile[];
      readonly tableError?: string;
    }
  /** More files failed to load: start a fresh worker that serves them as errors. This one exits. */
  | { readonly type: "retry"; readonly failed: readonly FailedFile[] }
  /** Could not listen (port in use, …). */
  | { readonly type: "error"; readonly message: string };

const WORKER_MESSAGE_TYPES = new Set(["standby", "ready", "retry", "error"]);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    WORKER_MESSAGE_TYPES.has((value as { type?: unknown }).type as string)
  );
}

export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  const type =
    typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  return type === "serve" || type === "drain";
}
