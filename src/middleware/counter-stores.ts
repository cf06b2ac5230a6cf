import type { Logger as LimiterLogger, MemoryStore, Options, Store } from "express-rate-limit";
import type { Logger } from "pino";
import { messageOf } from "../errors";

/**
 * express-rate-limit, loaded on first use: about 10 ms of start-up that a server without rate
 * limits (and without a wrong token yet) does not pay.
 */
export function loadRateLimit(): typeof import("express-rate-limit") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  return require("express-rate-limit") as typeof import("express-rate-limit");
}

/**
 * Where the rate limits and the failed-token brake keep their counters: one express-rate-limit
 * Store per limiter (it refuses a shared one), all on one backend: this process's memory, or Redis.
 */
export interface CounterStores {
  readonly kind: "memory" | "redis";
  /** A store for one limiter, its keys under `prefix`. */
  create(prefix: string): Store;
  /** Stops the stores' timers and connections (after the last request). */
  close(): Promise<void>;
}

/** Counters in this process: what one replica sees, and no other. */
export function createMemoryStores(): CounterStores {
  const stores: MemoryStore[] = [];
  return {
    kind: "memory",
    create() {
      const store = new (loadRateLimit().MemoryStore)();
      stores.push(store);
      return store;
    },
    async close() {
      for (const store of stores) store.shutdown();
    },
  };
}

/** A store error already reported (once per outage): express-rate-limit's own line for it is left out. */
class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

/**
 * Logs when a store starts failing and when it answers again, once each: during an outage every
 * request fails over, and a line per request would bury everything else.
 */
export function createOutageReporter(logger: Logger, what: string) {
  let down = false;
  return {
    failed(error: unknown): void {
      if (down) return;
      down = true;
      logger.warn(
        { err: error },
        `${what} unavailable: requests are let through without rate limits or the failed-token brake until it answers again`,
      );
    },
    succeeded(): void {
      if (!down) return;
      down = false;
      logger.info(`${what} answers again: rate limits apply`);
    },
  };
}

export type OutageReporter = ReturnType<typeof createOutageReporter>;

/** `store`, its failures reported to `outage` and rethrown as StoreUnavailableError (the limiter then lets the request through). */
export function reportFailures(store: Store, outage: OutageReporter): Store {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await call(...args);
        outage.succeeded();
        return result;
      } catch (error) {
        outage.failed(error);
        throw new StoreUnavailableError(messageOf(error), {
          cause: error,
        });
      }
    };
  return {
    prefix: store.prefix,
    localKeys: store.localKeys,
    init: (options: Options) => store.init?.(options),
    get: store.get && guard(store.get.bind(store)),
    increment: guard(store.increment.bind(store)),
    decrement: guard(store.decrement.bind(store)),
    resetKey: guard(store.resetKey.bind(store)),
  };
}

/** express-rate-limit's logger as pino lines; a store failure already reported is not logged again per request. */
export function limiterLogger(logger: Logger): LimiterLogger {
  return {
    warn: (error, message) => logger.warn({ err: error }, message ?? "express-rate-limit"),
    error: (error, message) => {
      if (error instanceof StoreUnavailableError) return;
      logger.error({ err: error }, message ?? "express-rate-limit");
    },
  };
}
