import type { Config } from "../config";
import { DEV_RESTARTS, initialBrake, nextRestart, type RestartBrake } from "../restart-brake";
import { failedFileMessage } from "./failed-files";
import type { FailedFile, SupervisorMessage, WorkerMessage } from "./protocol";

// The dev server's supervisor as a pure state machine: `step(state, event)` returns the next state
// and what to do (fork a worker, send it a message, retire it, log, …). dev-server.ts performs
// the effects and feeds back the events; tests drive `step` directly.

export type ChildId = number;

/**
 * A worker's part: a warm `spare` waits with nextpress loaded; `loading` loads the routes;
 * `serving` answers requests; `retiring` drains and exits.
 */
type Role = "spare" | "loading" | "serving" | "retiring";

interface ChildState {
  readonly id: ChildId;
  readonly role: Role;
  /** Booted and listening for messages; before that, `pending` holds what to tell it. */
  readonly standby: boolean;
  readonly pending?: SupervisorMessage;
  readonly servingSince?: number;
}

interface Load {
  readonly child: ChildId;
  readonly since: number;
  readonly files: readonly string[];
}

export interface SupervisorState {
  readonly children: ReadonlyMap<ChildId, ChildState>;
  readonly serving?: ChildId;
  readonly loading?: Load;
  readonly spare?: ChildId;
  /** The first generation is serving: `ready` has been reported. */
  readonly started: boolean;
  readonly stopping: boolean;
  readonly nextId: ChildId;
  /** Serving workers that crashed soon after they started, in a row (the shared restart brake). */
  readonly brake: RestartBrake;
}

export type SupervisorEvent =
  /** Start, a change in the routes folder (`files`, from `since`), or a crashed worker's restart. */
  | { readonly type: "load"; readonly since: number; readonly files: readonly string[] }
  | {
      readonly type: "message";
      readonly child: ChildId;
      readonly message: WorkerMessage;
      readonly now: number;
    }
  | {
      readonly type: "exit";
      readonly child: ChildId;
      readonly code: number | null;
      readonly signal: string | null;
      readonly now: number;
    }
  | { readonly type: "stop" };

type LogLevel = "info" | "warn" | "error" | "fatal";

export type Effect =
  | { readonly type: "fork"; readonly child: ChildId }
  | { readonly type: "send"; readonly child: ChildId; readonly message: SupervisorMessage }
  /** Tell it to drain (when `drain`), disconnect it, kill it after `patienceMs`. */
  | {
      readonly type: "retire";
      readonly child: ChildId;
      readonly drain: boolean;
      readonly patienceMs: number;
    }
  | {
      readonly type: "log";
      readonly level: LogLevel;
      readonly message: string;
      readonly fields?: Record<string, unknown>;
    }
  | { readonly type: "ready"; readonly port: number }
  | { readonly type: "fail"; readonly message: string }
  /** Run a `load` event with no files after `delayMs`; `cancel-restart` drops a pending one. */
  | { readonly type: "restart"; readonly delayMs: number }
  | { readonly type: "cancel-restart" };

/** Beyond the shutdown timeout, how long a serving worker has to exit before it is killed. */
export const STOP_TIMEOUT_MS = 5000;
/** A worker retired while loading the routes (an import in an endless loop, say) is killed after this. */
export const LOADING_STOP_MS = 2000;

export interface SupervisorOptions {
  /** What each worker is told to serve with. */
  readonly config: Config;
}

export const initialState: SupervisorState = {
  children: new Map(),
  started: false,
  stopping: false,
  nextId: 1,
  brake: initialBrake,
};

/** "a.ts, b.ts and 3 more" */
function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

/** One step's working copy: the state's maps copied, so the state passed in is never changed. */
class Draft {
  readonly children: Map<ChildId, ChildState>;
  serving: ChildId | undefined;
  loading: Load | undefined;
  spare: ChildId | undefined;
  started: boolean;
  stopping: boolean;
  nextId: ChildId;
  brake: RestartBrake;
  readonly effects: Effect[] = [];

  constructor(
    state: SupervisorState,
    private readonly options: SupervisorOptions,
  ) {
    this.children = new Map(state.children);
    ({
      serving: this.serving,
      loading: this.loading,
      spare: this.spare,
      started: this.started,
      stopping: this.stopping,
      nextId: this.nextId,
      brake: this.brake,
    } = state);
  }

  toState(): SupervisorState {
    const { children, serving, loading, spare, started, stopping, nextId, brake } = this;
    return { children, serving, loading, spare, started, stopping, nextId, brake };
  }

  update(id: ChildId, change: Partial<ChildState>): void {
    const child = this.children.get(id);
    if (child) this.children.set(id, { ...child, ...change });
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.effects.push(
      fields ? { type: "log", level, message, fields } : { type: "log", level, message },
    );
  }

  fork(): ChildId {
    const id = this.nextId++;
    this.children.set(id, { id, role: "spare", standby: false });
    this.effects.push({ type: "fork", child: id });
    return id;
  }

  post(id: ChildId, message: SupervisorMessage): void {
    if (this.children.get(id)?.standby) this.effects.push({ type: "send", child: id, message });
    else this.update(id, { pending: message });
  }

  /** Out of the shared socket at once; a connection already handed to it is still served. */
  retire(id: ChildId): void {
    const child = this.children.get(id);
    if (!child) return;
    const wasServing = child.role === "serving";
    this.update(id, { role: "retiring" });
    const patienceMs = wasServing
      ? this.options.config.server.shutdownTimeoutMs + STOP_TIMEOUT_MS
      : LOADING_STOP_MS;
    this.effects.push({ type: "retire", child: id, drain: child.standby, patienceMs });
  }

  /** Loads the routes in the spare (or a new worker); a load still under way is obsolete and retired. */
  load(since: number, files: readonly string[], failed: readonly FailedFile[]): void {
    if (this.stopping) return;
    this.effects.push({ type: "cancel-restart" });
    if (this.loading) this.retire(this.loading.child);
    const child = this.spare ?? this.fork();
    this.spare = undefined;
    this.update(child, { role: "loading" });
    this.loading = { child, since, files };
    this.post(child, { type: "serve", config: this.options.config, failed });
    // The next generation boots while this one loads: a reload then only costs loading the routes.
    if (this.started) this.spare = this.fork();
  }

  logLoaded(message: Extract<WorkerMessage, { type: "ready" }>, load: Load, now: number): void {
    for (const failed of message.failed)
      this.log("error", failedFileMessage(failed), { file: failed.file, reason: failed.reason });
    if (message.tableError)
      this.log("error", `${message.tableError}\nevery /api request answers this until it is fixed`);
    const ms = now - load.since;
    const summary = message.tableError
      ? "no route table"
      : `${message.routes} routes${message.failed.length > 0 ? `, ${message.failed.length} failing` : ""}`;
    const { host, routesDir } = this.options.config;
    if (!this.started) {
      this.log(
        "info",
        `dev server listening on http://${host}:${message.port}/api (${summary}), watching ${routesDir}`,
        {
          port: message.port,
          routes: message.routes,
          routesDir,
          startMs: ms,
          child: load.child,
        },
      );
    } else {
      const what =
        load.files.length > 0
          ? `reloaded in ${ms} ms (${listFiles(load.files)})`
          : `restarted in ${ms} ms`;
      this.log("info", `${what}: ${summary}`, {
        reloadMs: ms,
        files: load.files,
        routes: message.routes,
        child: load.child,
      });
    }
  }

  onMessage(id: ChildId, message: WorkerMessage, now: number): void {
    if (message.type === "standby") {
      const pending = this.children.get(id)?.pending;
      this.update(id, { standby: true, pending: undefined });
      if (pending) this.effects.push({ type: "send", child: id, message: pending });
      return;
    }
    const current = this.loading;
    if (!current || current.child !== id) return;
    this.loading = undefined;
    if (message.type === "retry") {
      this.update(id, { role: "retiring" });
      return this.load(current.since, current.files, message.failed);
    }
    if (message.type === "error") {
      this.log("fatal", message.message);
      this.update(id, { role: "retiring" });
      if (!this.started) this.effects.push({ type: "fail", message: message.message });
      return;
    }
    const previous = this.serving;
    this.serving = id;
    this.update(id, { role: "serving", servingSince: now });
    this.logLoaded(message, current, now);
    if (previous !== undefined) this.retire(previous);
    if (!this.started) {
      this.started = true;
      this.effects.push({ type: "ready", port: message.port });
      this.spare = this.fork();
    }
  }

  onExit(id: ChildId, code: number | null, signal: string | null, now: number): void {
    const child = this.children.get(id);
    this.children.delete(id);
    if (!child || this.stopping || child.role === "retiring") return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (child.role === "spare") {
      if (this.spare === id) this.spare = undefined;
      this.log("warn", `a standby dev server worker exited (${how})`);
    } else if (child.role === "loading") {
      this.loading = undefined;
      this.log(
        "error",
        `the worker loading the routes exited (${how}): fix the code, the next change reloads`,
      );
    } else {
      this.serving = undefined;
      // Exit code 0 is a SIGTERM from outside (the whole process group is stopping): not a crash.
      if (code === 0)
        return this.log(
          "warn",
          `the dev server worker stopped (${how}): the next change restarts it`,
        );
      // A worker that dies on its own right away (a timer that throws, say) is not restarted in a tight loop.
      const next = nextRestart(this.brake, now - (child.servingSince ?? 0), DEV_RESTARTS);
      this.brake = next.brake;
      const { delayMs } = next;
      this.log(
        "error",
        `the dev server worker exited (${how}): restarting${delayMs > 0 ? ` in ${delayMs} ms` : ""}`,
      );
      this.effects.push({ type: "restart", delayMs });
    }
  }
}

/**
 * The supervisor's next state and effects after `event`. `state` is not changed.
 *
 * @example
 * let { state, effects } = step(initialState, { type: "load", since: 0, files: [] }, options);
 * // effects: cancel-restart, fork 1, … then { type: "message", child: 1, message: { type: "standby" } } sends it "serve"
 */
export function step(
  state: SupervisorState,
  event: SupervisorEvent,
  options: SupervisorOptions,
): { state: SupervisorState; effects: Effect[] } {
  const draft = new Draft(state, options);
  switch (event.type) {
    case "load":
      draft.load(event.since, event.files, []);
      break;
    case "message":
      draft.onMessage(event.child, event.message, event.now);
      break;
    case "exit":
      draft.onExit(event.child, event.code, event.signal, event.now);
      break;
    case "stop":
      draft.stopping = true;
      draft.effects.push({ type: "cancel-restart" });
      break;
  }
  return { state: draft.toState(), effects: draft.effects };
}
