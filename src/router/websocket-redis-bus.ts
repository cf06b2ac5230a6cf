import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { Logger } from "pino";
import { createLocalBus, decodePayload, encodePayload, type TopicBus } from "../web/websocket-peer";

/** The one channel every process publishes on; the topic key travels in the message. */
const CHANNEL = "nextpress:ws";

interface Envelope {
  /** The process that published: it delivered to its own subscribers already. */
  o: string;
  k: string;
  b: boolean;
  /** Text, or base64 for binary. */
  d: string;
}

/** A bus with a `close()` for shutdown. */
type ClosableBus = TopicBus & { close(): Promise<void> };

/**
 * `publish` across processes (REDIS_URL): delivered here at once, and through one Redis pub/sub
 * channel to every other replica and WORKERS process, which deliver to their own subscribers.
 * Redis down: publishing stays local, logged once per outage (ioredis reconnects by itself).
 *
 * @public loaded with require() by app/create-app.ts, only with WEBSOCKETS=on and REDIS_URL
 */
export function createRedisBus(url: string, logger: Logger): ClosableBus {
  const self = randomUUID();
  const local = createLocalBus();
  const options = { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: false };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
  let down = false;
  const onError = (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { err: error },
      "WebSocket publish across processes unavailable (Redis): local only",
    );
  };
  publisher.on("error", onError);
  subscriber.on("error", onError);
  publisher.on("ready", () => (down = false));
  void subscriber.subscribe(CHANNEL).catch(onError);
  subscriber.on("message", (_channel: string, text: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.o === self) return;
    local.deliverLocal(envelope.k, decodePayload(envelope));
  });
  return {
    subscribe: local.subscribe,
    unsubscribe: local.unsubscribe,
    publish(key, payload, sender) {
      local.publish(key, payload, sender);
      const envelope: Envelope = {
        o: self,
        k: key,
        ...encodePayload(payload),
      };
      publisher.publish(CHANNEL, JSON.stringify(envelope)).catch(onError);
    },
    async close() {
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
