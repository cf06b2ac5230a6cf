import cluster from "node:cluster";
import type { Logger } from "pino";

/** What the primary sends each worker on SIGTERM/SIGINT: shut down as a single process would on SIGTERM. */
export const SHUTDOWN_MESSAGE = "nextpress:shutdown";

/** True in a process the cluster primary forked (WORKERS above 1). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a cluster worker, every log line names its process: `pid` and `worker` (the cluster's worker id). */
export function identifyWorker(logger: Logger): Logger {
  const worker = cluster.worker;
  return worker ? logger.child({ pid: process.pid, worker: worker.id }) : logger;
}

/** Runs `shutdown` when the primary asks this worker to stop. */
export function onPrimaryShutdown(shutdown: () => void): void {
  process.on("message", (message: unknown) => {
    if (message === SHUTDOWN_MESSAGE) shutdown();
  });
}
