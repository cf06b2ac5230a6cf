import { initialBrake, nextRestart, type RestartBrake } from "../restart-brake";

// The WORKERS primary as a pure state machine, as dev/supervisor.ts is for the dev server:
// `step(state, event)` returns the next state and what to do (fork, ask to shut down, kill, log,
// exit). primary.ts performs the effects and feeds back the events; tests drive `step` directly.

/** A worker's number: 1, 2, 3 … in the order they were forked (node:cluster numbers them alike). */
export type WorkerId = number;

interface WorkerState {
  readonly forkedAt: number;
  readonly listening: boolean;
}

export interface PrimaryState {
  readonly workers: ReadonlyMap<WorkerId, WorkerState>;
  readonly nextId: WorkerId;
  readonly brake: RestartBrake;
  /** Some worker listened: a death from now on is a crash, not a start-up failure. */
  readonly started: boolean;
  readonly allListening: boolean;
  readonly stopping: boolean;
  /** A worker exited other than 0 while stopping: the primary exits 1. */
  readonly unclean: boolean;
}

export type PrimaryEvent =
  | { readonly type: "start"; readonly now: number }
  | { readonly type: "listening"; readonly worker: WorkerId; readonly port: number }
  | {
      readonly type: "exit";
      readonly worker: WorkerId;
      readonly code: number | null;
      readonly signal: string | null;
      /** It was told to go (killed while starting), so it had nothing to drain. */
      readonly expected: boolean;
      readonly now: number;
    }
  /** A replacement scheduled by a `fork-later` effect is due. */
  | { readonly type: "fork-due"; readonly now: number }
  | { readonly type: "stop"; readonly reason: string }
  /** The patience armed by `arm-timeout` is over. */
  | { readonly type: "timeout" };

type LogLevel = "info" | "warn" | "error" | "fatal";

export type PrimaryEffect =
  | { readonly type: "fork"; readonly worker: WorkerId }
  /** Shut down as a single process does on SIGTERM (SHUTDOWN_DELAY_MS, then drain). */
  | { readonly type: "shutdown"; readonly worker: WorkerId }
  /** `graceful`: disconnect and SIGTERM (a worker still starting); otherwise SIGKILL. */
  | { readonly type: "kill"; readonly worker: WorkerId; readonly graceful: boolean }
  | { readonly type: "fork-later"; readonly delayMs: number }
  | { readonly type: "cancel-forks" }
  | { readonly type: "arm-timeout"; readonly delayMs: number }
  | {
      readonly type: "log";
      readonly level: LogLevel;
      readonly message: string;
      readonly fields?: Record<string, unknown>;
    }
  | { readonly type: "exit"; readonly code: number };

export interface PrimaryOptions {
  readonly workers: number;
  readonly host: string;
  /** SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + a margin: how long workers have to exit once told. */
  readonly patienceMs: number;
}

export const initialPrimaryState: PrimaryState = {
  workers: new Map(),
  nextId: 1,
  brake: initialBrake,
  started: false,
  allListening: false,
  stopping: false,
  unclean: false,
};

interface Step {
  state: PrimaryState;
  effects: PrimaryEffect[];
}

function fork(state: PrimaryState, now: number, effects: PrimaryEffect[]): PrimaryState {
  const workers = new Map(state.workers);
  workers.set(state.nextId, { forkedAt: now, listening: false });
  effects.push({ type: "fork", worker: state.nextId });
  return { ...state, workers, nextId: state.nextId + 1 };
}

function onListening(
  state: PrimaryState,
  worker: WorkerId,
  port: number,
  options: PrimaryOptions,
): Step {
  const running = state.workers.get(worker);
  if (!running) return { state, effects: [] };
  const workers = new Map(state.workers);
  workers.set(worker, { ...running, listening: true });
  const next = { ...state, workers, started: true };
  if (state.allListening || [...workers.values()].some((w) => !w.listening))
    return { state: next, effects: [] };
  const url = `http://${options.host}:${port}/api`;
  return {
    state: { ...next, allListening: true },
    effects: [
      {
        type: "log",
        level: "info",
        message: `${workers.size} workers listening on ${url}`,
        fields: { host: options.host, port, workers: workers.size },
      },
    ],
  };
}

function onExit(state: PrimaryState, event: Extract<PrimaryEvent, { type: "exit" }>): Step {
  const running = state.workers.get(event.worker);
  const workers = new Map(state.workers);
  workers.delete(event.worker);
  const fields = { worker: event.worker, code: event.code, signal: event.signal };
  const effects: PrimaryEffect[] = [];
  if (state.stopping) {
    const unclean = state.unclean || (event.code !== 0 && !event.expected);
    effects.push({ type: "log", level: "info", message: `worker ${event.worker} exited`, fields });
    if (workers.size === 0) effects.push({ type: "exit", code: unclean ? 1 : 0 });
    return { state: { ...state, workers, unclean }, effects };
  }
  if (!state.started) {
    // Every worker runs the same start-up: when one fails before any listened, all will.
    effects.push({
      type: "log",
      level: "fatal",
      message: `worker ${event.worker} failed to start: stopping`,
      fields,
    });
    for (const other of workers.keys())
      effects.push({ type: "kill", worker: other, graceful: true });
    if (workers.size === 0) effects.push({ type: "exit", code: 1 });
    return { state: { ...state, workers, stopping: true, unclean: true }, effects };
  }
  const next = nextRestart(state.brake, event.now - (running?.forkedAt ?? event.now));
  const later = next.delayMs > 0 ? ` in ${next.delayMs} ms` : "";
  effects.push(
    {
      type: "log",
      level: "error",
      message: `worker ${event.worker} exited unexpectedly: starting another${later}`,
      fields: { ...fields, restartInMs: next.delayMs },
    },
    { type: "fork-later", delayMs: next.delayMs },
  );
  return { state: { ...state, workers, brake: next.brake }, effects };
}

function onStop(state: PrimaryState, reason: string, options: PrimaryOptions): Step {
  if (state.stopping) {
    const kills = [...state.workers.keys()].map((worker): PrimaryEffect => ({
      type: "kill",
      worker,
      graceful: false,
    }));
    return {
      state,
      effects: [
        {
          type: "log",
          level: "warn",
          message: "second signal: killing the workers",
          fields: { reason },
        },
        ...kills,
        { type: "exit", code: 1 },
      ],
    };
  }
  const effects: PrimaryEffect[] = [
    { type: "cancel-forks" },
    {
      type: "log",
      level: "info",
      message: "shutting down: every worker drains",
      fields: { reason, workers: state.workers.size },
    },
  ];
  for (const [worker, running] of state.workers) {
    // A worker still starting has nothing to drain and may not listen for the message yet.
    effects.push(
      running.listening ? { type: "shutdown", worker } : { type: "kill", worker, graceful: true },
    );
  }
  if (state.workers.size === 0) effects.push({ type: "exit", code: 0 });
  else effects.push({ type: "arm-timeout", delayMs: options.patienceMs });
  return { state: { ...state, stopping: true }, effects };
}

function onTimeout(state: PrimaryState, options: PrimaryOptions): Step {
  if (state.workers.size === 0) return { state, effects: [] };
  const kills = [...state.workers.keys()].map((worker): PrimaryEffect => ({
    type: "kill",
    worker,
    graceful: false,
  }));
  return {
    state,
    effects: [
      {
        type: "log",
        level: "error",
        message: "workers still running after their shutdown timeout: killing them",
        fields: { timeoutMs: options.patienceMs, workers: state.workers.size },
      },
      ...kills,
      { type: "exit", code: 1 },
    ],
  };
}

/**
 * The primary's next state and effects for `event`. Pure: the state passed in is never changed.
 *
 * @example
 * const { state, effects } = step(initialPrimaryState, { type: "start", now: 0 }, options);
 * // effects: fork 1, fork 2 … one per configured worker
 */
export function step(state: PrimaryState, event: PrimaryEvent, options: PrimaryOptions): Step {
  switch (event.type) {
    case "start": {
      const effects: PrimaryEffect[] = [];
      let next = state;
      for (let i = 0; i < options.workers; i++) next = fork(next, event.now, effects);
      return { state: next, effects };
    }
    case "listening":
      return onListening(state, event.worker, event.port, options);
    case "exit":
      return onExit(state, event);
    case "fork-due": {
      if (state.stopping) return { state, effects: [] };
      const effects: PrimaryEffect[] = [];
      return { state: fork(state, event.now, effects), effects };
    }
    case "stop":
      return onStop(state, event.reason, options);
    case "timeout":
      return onTimeout(state, options);
  }
}
