import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { Config } from "../config";
import { exitAfterFlush, onStopSignals } from "../lifecycle";
import { relayClusterPublish } from "../router/websocket-cluster-bus";
import {
  initialPrimaryState,
  step,
  type PrimaryEffect,
  type PrimaryEvent,
  type WorkerId,
} from "./primary-state";
import { SHUTDOWN_MESSAGE } from "./worker";

/** Past the workers' own delay and drain timeout, the primary waits this much longer before killing them. */
const KILL_MARGIN_MS = 2_000;

/**
 * WORKERS above 1: this process only supervises. It forks `config.workers` server processes
 * (node:cluster: one listening socket, connections handed out in turn), replaces a worker that
 * dies (sooner or later, by the restart brake), and on SIGTERM/SIGINT asks every worker to shut
 * down as a single process does (SHUTDOWN_DELAY_MS, then drain), exiting 0 once all exited with
 * 0. A second signal, or the workers outliving their own delay and timeout, kills them: exit 1.
 * A worker that fails before any worker listened (a broken route) fails start-up: exit 1.
 * What to do when is decided by the state machine in primary-state.ts; this file only does it.
 *
 * @example
 * runPrimary(loadConfig({ WORKERS: "auto" }), logger);
 */
export function runPrimary(config: Config, logger: Logger): void {
  const options = {
    workers: config.workers,
    host: config.host,
    patienceMs: config.shutdownDelayMs + config.server.shutdownTimeoutMs + KILL_MARGIN_MS,
  };
  const workers = new Map<WorkerId, Worker>();
  const ids = new Map<Worker, WorkerId>();
  const pendingForks = new Set<NodeJS.Timeout>();
  let state = initialPrimaryState;

  const dispatch = (event: PrimaryEvent): void => {
    const next = step(state, event, options);
    state = next.state;
    for (const effect of next.effects) perform(effect);
  };

  function perform(effect: PrimaryEffect): void {
    switch (effect.type) {
      case "fork": {
        const worker = cluster.fork();
        workers.set(effect.worker, worker);
        ids.set(worker, effect.worker);
        // WebSocket `publish` without Redis: one worker's reaches the others through here.
        worker.on("message", (message: unknown) => relayClusterPublish(worker, message));
        // A message to a worker whose channel has just closed: its exit is handled below.
        worker.on("error", (error) =>
          logger.debug({ err: error, worker: effect.worker }, "worker channel error"),
        );
        return;
      }
      case "shutdown": {
        const worker = workers.get(effect.worker);
        if (worker?.isConnected()) worker.send(SHUTDOWN_MESSAGE);
        else worker?.kill();
        return;
      }
      case "kill": {
        const worker = workers.get(effect.worker);
        if (effect.graceful) worker?.kill();
        else worker?.process.kill("SIGKILL");
        return;
      }
      case "fork-later": {
        const timer = setTimeout(() => {
          pendingForks.delete(timer);
          dispatch({ type: "fork-due", now: Date.now() });
        }, effect.delayMs);
        pendingForks.add(timer);
        return;
      }
      case "cancel-forks":
        for (const timer of pendingForks) clearTimeout(timer);
        pendingForks.clear();
        return;
      case "arm-timeout":
        setTimeout(() => dispatch({ type: "timeout" }), effect.delayMs).unref();
        return;
      case "log": {
        const pid = effect.fields?.worker;
        const workerPid = typeof pid === "number" ? workers.get(pid)?.process.pid : undefined;
        logger[effect.level]({ ...effect.fields, workerPid }, effect.message);
        return;
      }
      case "exit":
        return exitAfterFlush(effect.code, logger);
    }
  }

  cluster.on("listening", (worker, address) => {
    const id = ids.get(worker);
    if (id !== undefined) dispatch({ type: "listening", worker: id, port: address.port });
  });
  cluster.on("exit", (worker, code, signal) => {
    const id = ids.get(worker);
    if (id === undefined) return;
    const event: PrimaryEvent = {
      type: "exit",
      worker: id,
      code,
      signal,
      expected: worker.exitedAfterDisconnect,
      now: Date.now(),
    };
    dispatch(event);
    workers.delete(id);
    ids.delete(worker);
  });
  onStopSignals((signal) => dispatch({ type: "stop", reason: signal }));
  dispatch({ type: "start", now: Date.now() });
}
