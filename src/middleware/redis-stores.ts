import type { Options, Store } from "express-rate-limit";
import Redis from "ioredis";
import type { Logger } from "pino";
import { RedisStore, type RedisReply } from "rate-limit-redis";
import { createOutageReporter, reportFailures, type CounterStores } from "./counter-stores";

/** How long start-up waits for Redis before serving without it (fail open, with a warning). */
const CONNECT_WAIT_MS = 2000;

/** A Redis that stops answering fails a request's count after this long (which is then let through). */
const COMMAND_TIMEOUT_MS = 500;

/** The URL without its password, for log lines. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "redacted";
  return parsed.toString();
}

/**
 * Counters in Redis (REDIS_URL), shared by every replica: rate-limit-redis's atomic scripts on
 * one ioredis connection. Redis down fails open: a command is refused at once while the client is
 * disconnected (no offline queue) or after COMMAND_TIMEOUT_MS, the request goes through
 * unlimited, and one warning says so; when the connection is back the scripts are loaded again
 * and limits apply. Start-up waits up to CONNECT_WAIT_MS for Redis and then serves without it.
 */
export async function createRedisStores(url: string, logger: Logger): Promise<CounterStores> {
  const where = `Redis at ${redacted(url)}`;
  const outage = createOutageReporter(logger, where);
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    // No auto-pipelining: it holds a count back to the next tick, after the 401 it belongs to has gone out.
  });
  // Without a listener an `error` event would end the process; each one is an outage until `ready`.
  client.on("error", (error) => outage.failed(error));
  const stores: { store: RedisStore; options?: Options }[] = [];
  // A script loaded while Redis was away stays a failed promise inside RedisStore: load it again.
  client.on("ready", () => {
    outage.succeeded();
    for (const entry of stores)
      if (entry.options)
        entry.store.init(entry.options).catch((error: unknown) => outage.failed(error));
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn(
        `${where} did not answer within ${CONNECT_WAIT_MS} ms: serving without rate limits until it does`,
      );
      resolve();
    }, CONNECT_WAIT_MS);
    client.once("ready", () => (clearTimeout(timer), resolve()));
  });
  const sendCommand = (command: string, ...args: string[]) =>
    client.call(command, ...args) as Promise<RedisReply>;

  return {
    kind: "redis",
    create(prefix: string): Store {
      const store = new RedisStore({ sendCommand, prefix });
      const entry: { store: RedisStore; options?: Options } = { store };
      stores.push(entry);
      const reported = reportFailures(store, outage);
      return {
        ...reported,
        init: (options: Options) => {
          entry.options = options;
          // Refused while disconnected: `ready` loads the scripts once Redis is there.
          if (client.status === "ready")
            store.init(options).catch((error: unknown) => outage.failed(error));
        },
      };
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
