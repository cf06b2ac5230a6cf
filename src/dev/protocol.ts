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

/** A message's `type`, when it is an object that has one. */
function typeOf(value: unknown): unknown {
  return typeof value === "object" && value !== null && "type" in value ? value.type : undefined;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  const type = typeOf(value);
  return typeof type === "string" && WORKER_MESSAGE_TYPES.has(type);
}

export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  const type = typeOf(value);
  return type === "serve" || type === "drain";
}
