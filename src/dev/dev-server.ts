import cluster, { type Worker } from "node:cluster";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config";
import { failedFileMessage } from "./failed-files";
import { isWorkerMessage, type FailedFile, type SupervisorMessage, type WorkerMessage } from "./protocol";
import { watchTree, type TreeChange } from "./watch-tree";

/** Worker processes: worker.ts under tsx, worker.js once compiled. */
const WORKER_FILE = path.join(__dirname, `worker${path.extname(__filename)}`);

/** A worker that crashes sooner than this after it started serving is restarted after RESTART_DELAY_MS. */
const CRASH_LOOP_MS = 2000;
const RESTART_DELAY_MS = 1000;

/** How long `stop()` waits for a worker to exit before it is killed. */
const STOP_TIMEOUT_MS = 5000;

/** A worker told to stop while loading the routes (an import in an endless loop, say) is killed after this. */
const LOADING_STOP_MS = 2000;

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

type Role = "spare" | "loading" | "serving" | "retiring";

interface Child {
  readonly worker: Worker;
  role: Role;
  /** Booted and listening for messages; before that, `pending` holds what to tell it. */
  standby: boolean;
  pending?: SupervisorMessage;
  servingSince?: number;
}

interface Load {
  readonly child: Child;
  readonly since: number;
  readonly files: readonly string[];
}

/** Node flags for workers: a TypeScript worker needs tsx, which `tsx src/cli.ts` already put in execArgv. */
function workerExecArgv(): string[] {
  const inherited = process.execArgv;
  if (!WORKER_FILE.endsWith(".ts") || inherited.some((arg) => arg.includes("tsx"))) return inherited;
  return [...inherited, "--import", "tsx"];
}

/** "a.ts, b.ts and 3 more" */
function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

/**
 * Serves `config.routesDir` and reloads it whenever a file below it changes. Each generation of
 * the routes runs in a fresh worker process (node:cluster: all of them share the listening
 * socket), so every module is loaded anew with no cache to bust. A warm spare worker waits with
 * nextpress already loaded; on a change it loads the routes and starts listening, and only then
 * is the previous worker told to drain: nothing is refused, in-flight requests finish on the old
 * code. Files that fail to load answer 500 with their error while the rest is served (see
 * worker.ts); when the table itself cannot be built, every /api request answers its error.
 *
 * @example
 * const dev = startDevServer(loadConfig(toDevEnv(process.env)), logger);
 * await dev.ready;
 */
export function startDevServer(config: Config, logger: Logger, options: DevServerOptions = {}): DevServer {
  const children = new Set<Child>();
  let serving: Child | undefined;
  let loading: Load | undefined;
  let spare: Child | undefined;
  let stopping = false;
  let started = false;
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

  function fork(): Child {
    const worker = cluster.fork();
    const child: Child = { worker, role: "spare", standby: false };
    children.add(child);
    worker.on("message", (message: unknown) => {
      if (isWorkerMessage(message)) onMessage(child, message);
    });
    worker.on("exit", (code, signal) => onExit(child, code, signal));
    // A message to a worker that has just exited: its exit is handled above.
    worker.on("error", (error) => logger.debug({ err: error }, "dev server worker channel error"));
    return child;
  }

  function post(child: Child, message: SupervisorMessage): void {
    if (child.standby) child.worker.send(message);
    else child.pending = message;
  }

  /**
   * Takes `child` out of the shared socket at once (cluster's disconnect: a connection already
   * handed to it is still served), lets its requests finish, and kills it if it does not exit.
   */
  function retire(child: Child): void {
    const wasServing = child.role === "serving";
    child.role = "retiring";
    if (child.worker.isConnected()) {
      if (child.standby) child.worker.send({ type: "drain" } satisfies SupervisorMessage);
      child.worker.disconnect();
    }
    const patience = wasServing ? config.server.shutdownTimeoutMs + STOP_TIMEOUT_MS : LOADING_STOP_MS;
    setTimeout(() => child.worker.process.kill("SIGKILL"), patience).unref();
  }

  /** Loads the routes in the spare (or a new worker); a load still under way is obsolete and killed. */
  function load(since: number, files: readonly string[], failed: readonly FailedFile[]): void {
    if (stopping) return;
    clearTimeout(restartTimer);
    if (loading) retire(loading.child);
    const child = spare ?? fork();
    spare = undefined;
    child.role = "loading";
    loading = { child, since, files };
    post(child, { type: "serve", config, failed });
    // The next generation boots while this one loads: a reload then only costs loading the routes.
    if (started) spare = fork();
  }

  function logLoaded(message: Extract<WorkerMessage, { type: "ready" }>, load: Load): void {
    for (const failed of message.failed) {
      logger.error({ file: failed.file, reason: failed.reason }, failedFileMessage(failed));
    }
    if (message.tableError) logger.error(`${message.tableError}\nevery /api request answers this until it is fixed`);
    const ms = Date.now() - load.since;
    const summary = message.tableError
      ? "no route table"
      : `${message.routes} routes${message.failed.length > 0 ? `, ${message.failed.length} failing` : ""}`;
    const pid = load.child.worker.process.pid;
    if (!started) {
      logger.info(
        { port: message.port, routes: message.routes, routesDir: config.routesDir, startMs: ms, pid, supervisorPid: process.pid },
        `dev server listening on http://${config.host}:${message.port}/api (${summary}), watching ${config.routesDir}`,
      );
    } else {
      const what = load.files.length > 0 ? `reloaded in ${ms} ms (${listFiles(load.files)})` : `restarted in ${ms} ms`;
      logger.info({ reloadMs: ms, files: load.files, routes: message.routes, pid }, `${what}: ${summary}`);
    }
  }

  function onMessage(child: Child, message: WorkerMessage): void {
    if (message.type === "standby") {
      child.standby = true;
      if (child.pending) child.worker.send(child.pending);
      child.pending = undefined;
      return;
    }
    if (child !== loading?.child) return;
    const current = loading;
    if (message.type === "retry") {
      child.role = "retiring";
      loading = undefined;
      return load(current.since, current.files, message.failed);
    }
    if (message.type === "error") {
      logger.fatal(message.message);
      loading = undefined;
      child.role = "retiring";
      if (!started) rejectReady(new Error(message.message));
      return;
    }
    loading = undefined;
    const previous = serving;
    serving = child;
    child.role = "serving";
    child.servingSince = Date.now();
    logLoaded(message, current);
    if (previous) retire(previous);
    if (!started) {
      started = true;
      resolveReady(message.port);
      spare = fork();
    }
  }

  function onExit(child: Child, code: number | null, signal: string | null): void {
    children.delete(child);
    if (stopping || child.role === "retiring") return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (child.role === "spare") {
      if (spare === child) spare = undefined;
      logger.warn(`a standby dev server worker exited (${how})`);
    } else if (child.role === "loading") {
      loading = undefined;
      logger.error(`the worker loading the routes exited (${how}): fix the code, the next change reloads`);
    } else {
      serving = undefined;
      // Exit code 0 is a SIGTERM from outside (the whole process group is stopping): not a crash.
      if (code === 0) return void logger.warn(`the dev server worker stopped (${how}): the next change restarts it`);
      // A worker that dies on its own right away (a timer that throws, say) is not restarted in a tight loop.
      const delay = Date.now() - (child.servingSince ?? 0) < CRASH_LOOP_MS ? RESTART_DELAY_MS : 0;
      logger.error(`the dev server worker exited (${how}): restarting${delay > 0 ? ` in ${delay} ms` : ""}`);
      restartTimer = setTimeout(() => load(Date.now(), [], []), delay);
    }
  }

  const watcher = watchTree(config.routesDir, (change: TreeChange) => load(change.since, change.files, []), options.debounceMs);
  load(Date.now(), [], []);

  async function stopAll(): Promise<void> {
    stopping = true;
    clearTimeout(restartTimer);
    watcher.close();
    const exits = [...children].map(
      ({ worker }) =>
        new Promise<void>((resolve) => {
          if (worker.process.exitCode !== null || worker.process.signalCode !== null) return resolve();
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
