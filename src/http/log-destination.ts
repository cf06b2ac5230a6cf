// The process logger's destination: lines are held for up to HAND_OVER_MS (or HAND_OVER_CHARS)
// and reach pino's asynchronous destination as one write. A write there is a trip through libuv's
// thread pool; one per line (or per turn of the event loop) cost more than everything else in the
// request line, and on a busy machine the server's thread lost its core at each trip. Order is
// kept: every line, the request log's and pino's own, goes through here.
import type { DestinationStream } from "pino";

/** How long a line may wait for others before it is handed over, in ms: the loss window on a crash. */
export const HAND_OVER_MS = 50;
/** Held lines are handed over at once past this many characters. */
const HAND_OVER_CHARS = 64 * 1024;

/** What the lines are handed to: pino.destination()'s SonicBoom, or any stream with the same calls. */
export interface LineTarget extends DestinationStream {
  flush?(callback?: (error?: Error | null) => void): void;
  flushSync?(): void;
}

/** A destination that holds lines briefly (see the file's header). */
export interface BatchedDestination extends DestinationStream {
  /** Hands the held lines to the target now, then flushes the target (`logger.flush()` calls it). */
  flush(callback?: (error?: Error | null) => void): void;
  /** Hands the held lines over and writes everything synchronously (on exit). */
  flushSync(): void;
}

/**
 * Wraps `target` (the asynchronous destination) so that lines reach it in batches: after at most
 * HAND_OVER_MS, or at once past 64 K characters. A process killed outright (SIGKILL, out of
 * memory) loses at most the last HAND_OVER_MS of lines beyond what the target itself held; on
 * `exit` (including after an uncaught exception) and on `logger.flush()` they are handed over first.
 *
 * @example
 * const logger = pino(options, createBatchedDestination(pino.destination({ dest: 1, sync: false })));
 */
export function createBatchedDestination(target: LineTarget): BatchedDestination {
  let held = "";
  let timer: NodeJS.Timeout | undefined;
  const handOver = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (held === "") return;
    const lines = held;
    held = "";
    target.write(lines);
  };
  const destination: BatchedDestination = {
    write(line: string): void {
      held += line;
      if (held.length >= HAND_OVER_CHARS) handOver();
      // Unreferenced: the exit handler below writes what a finished process still held.
      else timer ??= setTimeout(handOver, HAND_OVER_MS).unref();
    },
    flush(callback) {
      handOver();
      if (target.flush) target.flush(callback);
      else callback?.();
    },
    flushSync() {
      handOver();
      target.flushSync?.();
    },
  };
  process.on("exit", () => {
    try {
      destination.flushSync();
    } catch {
      // The target is already closed (or never opened): there is nowhere left to write.
    }
  });
  return destination;
}
