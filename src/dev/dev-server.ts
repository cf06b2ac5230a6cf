import cluster, { type Worker } from "node:cluster";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config";
import { isWorkerMessage, type SupervisorMessage } from "./protocol";
import { initialState, step, type ChildId, type Effect, type SupervisorEvent } from "./supervisor";
import { watchTree, type TreeChange } from "./watch-tree";

/** Worker processes: worker-entry.ts under tsx, worker-entry.js once compiled. */
const WORKER_FILE = path.join(__dirname, `worker-entry${path.extname(__filename)}`);

/** How long `stop()` waits for a worker to exit before it is killed. */
const STOP_TIMEOUT_MS = 5000;

export interface DevServerOptions {
  /** Quiet time after the last file event before reloading. */
  debounceMs?: number;
}

export interface DevServer {
  /** The port, once the first worker listens; rejects when it cannot listen. */
  readonly ready: Promise<number>;
  /** Stops watching and every worker; resolves once they have exited. */
  stop(): Promise<void>;
}

/** Node flags for workers: a TypeScript worker needs tsx, which `tsx src/cli.ts` already put in execArgv. */
function workerExecArgv(): string[] {
  const inherited = process.execArgv;
  if (!WORKER_FILE.endsWith(".ts") || inherited.some((arg) => arg.includes("tsx")))
    return inherited;
  return [...inherited, "--import", "tsx"];
}

/**
 * Serves `config.routesDir` and reloads it whenever a file below it changes. Each generation of
 * the routes runs in a fresh worker process (node:cluster: all of them share the listening
 * socket), so every module is loaded anew with no cache to bust. A warm spare worker waits with
 * nextpress already loaded; on a change it loads the routes and starts listening, and only then
 * is the previous worker told to drain: nothing is refused, in-flight requests finish on the old
 * code. Files that fail to load answer 500 with their error while the rest is served (see
 * worker.ts); when the table itself cannot be built, every /api request answers its error.
 * What to do when is decided by the state machine in supervisor.ts; this file only does it.
 *
 * @example
 * const dev = startDevServer(loadConfig(toDevEnv(process.env)), logger);
 * await dev.ready;
 */
export function startDevServer(
  config: Config,
  logger: Logger,
  options: DevServerOptions = {},
): DevServer {
  const workers = new Map<ChildId, Worker>();
  let state = initialState;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  let resolveReady: (port: number) => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<number>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A caller that never awaits `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);

  cluster.setupPrimary({ exec: WORKER_FILE, args: [], execArgv: workerExecArgv(), silent: false });

  function dispatch(event: SupervisorEvent): void {
    const next = step(state, event, { config });
    state = next.state;
    for (const effect of next.effects) perform(effect);
  }

  function fork(id: ChildId): void {
    const worker = cluster.fork();
    workers.set(id, worker);
    worker.on("message", (message: unknown) => {
      if (isWorkerMessage(message))
        dispatch({ type: "message", child: id, message, now: Date.now() });
    });
    worker.on("exit", (code, signal) => {
      workers.delete(id);
      dispatch({ type: "exit", child: id, code, signal, now: Date.now() });
    });
    // A message to a worker that has just exited: its exit is handled above.
    worker.on("error", (error) => logger.debug({ err: error }, "dev server worker channel error"));
  }

  function perform(effect: Effect): void {
    const worker = "child" in effect ? workers.get(effect.child) : undefined;
    switch (effect.type) {
      case "fork":
        return fork(effect.child);
      case "send":
        return void worker?.send(effect.message);
      case "retire":
        if (worker?.isConnected()) {
          if (effect.drain) worker.send({ type: "drain" } satisfies SupervisorMessage);
          worker.disconnect();
        }
        setTimeout(() => worker?.process.kill("SIGKILL"), effect.patienceMs).unref();
        return;
      case "log": {
        // The worker a line is about, by its process id (the supervisor's own is `supervisorPid`).
        const child = effect.fields?.child;
        const pid = typeof child === "number" ? workers.get(child)?.process.pid : undefined;
        const { child: _child, ...fields } = effect.fields ?? {};
        return logger[effect.level](
          pid === undefined ? { ...fields } : { ...fields, pid, supervisorPid: process.pid },
          effect.message,
        );
      }
      case "ready":
        return resolveReady(effect.port);
      case "fail":
        return rejectReady(new Error(effect.message));
      case "restart":
        clearTimeout(restartTimer);
        restartTimer = setTimeout(
          () => dispatch({ type: "load", since: Date.now(), files: [] }),
          effect.delayMs,
        );
        return;
      case "cancel-restart":
        return clearTimeout(restartTimer);
    }
  }

  // The app-router folder too, when there is one: its files named as the route table names them (app/…).
  const watchers = [
    watchTree(
      config.routesDir,
      (change: TreeChange) => dispatch({ type: "load", since: change.since, files: change.files }),
      options.debounceMs,
    ),
    ...(existsSync(config.appDir)
      ? [
          watchTree(
            config.appDir,
            (change: TreeChange) =>
              dispatch({
                type: "load",
                since: change.since,
                files: change.files.map((file) => `${path.basename(config.appDir)}/${file}`),
              }),
            options.debounceMs,
          ),
        ]
      : []),
  ];
  dispatch({ type: "load", since: Date.now(), files: [] });

  async function stopAll(): Promise<void> {
    dispatch({ type: "stop" });
    for (const watcher of watchers) watcher.close();
    const exits = [...workers.values()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.process.exitCode !== null || worker.process.signalCode !== null)
            return resolve();
          worker.once("exit", () => resolve());
          worker.process.kill("SIGTERM");
          setTimeout(() => worker.process.kill("SIGKILL"), STOP_TIMEOUT_MS).unref();
        }),
    );
    await Promise.all(exits);
  }

  return {
    ready,
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
}
