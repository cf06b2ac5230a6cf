import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { Config } from "../config";
import { relayClusterPublish } from "../router/websocket-cluster-bus";
import { initialBrake, nextRestart } from "./restart-brake";
import { SHUTDOWN_MESSAGE } from "./worker";

/** Past the workers' own delay and drain timeout, the primary waits this much longer before killing them. */
const KILL_MARGIN_MS = 2_000;

interface Running {
  readonly forkedAt: number;
  listening: boolean;
}

/**
 * WORKERS above 1: this process only supervises. It forks `config.workers` server processes
 * (node:cluster: one listening socket, connections handed out in turn), replaces a worker that
 * dies (sooner or later, by the restart brake), and on SIGTERM/SIGINT asks every worker to shut
 * down as a single process does (SHUTDOWN_DELAY_MS, then drain), exiting 0 once all exited with
 * 0. A second signal, or the workers outliving their own delay and timeout, kills them: exit 1.
 * A worker that fails before any worker listened (a broken route) fails start-up: exit 1.
 *
 * @example
 * runPrimary(loadConfig({ WORKERS: "auto" }), logger);
 */
export function runPrimary(config: Config, logger: Logger): void {
  const workers = new Map<Worker, Running>();
  const pendingForks = new Set<NodeJS.Timeout>();
  let brake = initialBrake;
  let started = false;
  let allListening = false;
  let stopping = false;
  let unclean = false;

  const exit = (code: number): never => {
    logger.flush();
    process.exit(code);
  };
  const killAll = () => {
    for (const worker of workers.keys()) worker.process.kill("SIGKILL");
  };

  function fork(): void {
    const worker = cluster.fork();
    workers.set(worker, { forkedAt: Date.now(), listening: false });
    // WebSocket `publish` without Redis: one worker's reaches the others through here.
    worker.on("message", (message: unknown) => relayClusterPublish(worker, message));
    // A message to a worker whose channel has just closed: its exit is handled below.
    worker.on("error", (error) =>
      logger.debug({ err: error, worker: worker.id }, "worker channel error"),
    );
  }

  cluster.on("listening", (worker, address) => {
    const running = workers.get(worker);
    if (!running) return;
    running.listening = true;
    started = true;
    if (allListening || [...workers.values()].some((w) => !w.listening)) return;
    allListening = true;
    logger.info(
      { host: config.host, port: address.port, workers: workers.size },
      `${workers.size} workers listening on http://${config.host}:${address.port}/api`,
    );
  });

  cluster.on("exit", (worker, code, signal) => {
    const running = workers.get(worker);
    workers.delete(worker);
    const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (stopping) {
      // A worker killed while still starting (exitedAfterDisconnect) had nothing to drain.
      if (code !== 0 && !worker.exitedAfterDisconnect) unclean = true;
      logger.info(fields, `worker ${worker.id} exited`);
      if (workers.size === 0) exit(unclean ? 1 : 0);
      return;
    }
    if (!started) {
      // Every worker runs the same start-up: when one fails before any listened, all will.
      logger.fatal(fields, `worker ${worker.id} failed to start: stopping`);
      stopping = true;
      unclean = true;
      for (const other of workers.keys()) other.kill();
      if (workers.size === 0) exit(1);
      return;
    }
    const next = nextRestart(brake, Date.now() - (running?.forkedAt ?? Date.now()));
    brake = next.brake;
    logger.error(
      { ...fields, restartInMs: next.delayMs },
      `worker ${worker.id} exited unexpectedly: starting another${next.delayMs > 0 ? ` in ${next.delayMs} ms` : ""}`,
    );
    const timer = setTimeout(() => {
      pendingForks.delete(timer);
      fork();
    }, next.delayMs);
    pendingForks.add(timer);
  });

  const stop = (reason: string) => {
    if (stopping) {
      logger.warn({ reason }, "second signal: killing the workers");
      killAll();
      return exit(1);
    }
    stopping = true;
    for (const timer of pendingForks) clearTimeout(timer);
    logger.info({ reason, workers: workers.size }, "shutting down: every worker drains");
    for (const [worker, running] of workers) {
      // A worker still starting has nothing to drain and may not listen for the message yet.
      if (running.listening && worker.isConnected()) worker.send(SHUTDOWN_MESSAGE);
      else worker.kill();
    }
    if (workers.size === 0) return exit(0);
    const patienceMs = config.shutdownDelayMs + config.server.shutdownTimeoutMs + KILL_MARGIN_MS;
    setTimeout(() => {
      logger.error(
        { timeoutMs: patienceMs, workers: workers.size },
        "workers still running after their shutdown timeout: killing them",
      );
      killAll();
      exit(1);
    }, patienceMs).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  for (let i = 0; i < config.workers; i++) fork();
}
