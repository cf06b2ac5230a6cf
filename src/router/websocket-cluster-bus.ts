import cluster from "node:cluster";
import { createLocalBus, decodePayload, encodePayload, type TopicBus } from "../web/websocket-peer";

/** The IPC message a worker sends the primary, which passes it to every other worker. */
const CLUSTER_PUBLISH = "nextpress:ws-publish";

interface PublishMessage {
  type: typeof CLUSTER_PUBLISH;
  k: string;
  b: boolean;
  /** Text, or base64 for binary. */
  d: string;
}

function isPublishMessage(message: unknown): message is PublishMessage {
  return (message as { type?: unknown } | null)?.type === CLUSTER_PUBLISH;
}

/**
 * `publish` across the WORKERS processes of one server without Redis: delivered here at once,
 * and through the cluster primary (IPC) to every other worker, which delivers to its own
 * subscribers. Undefined outside a cluster worker. Across replicas, REDIS_URL is needed.
 */
export function createClusterBus(): TopicBus | undefined {
  const worker = cluster.worker;
  if (!worker) return undefined;
  const local = createLocalBus();
  process.on("message", (message: unknown) => {
    if (!isPublishMessage(message)) return;
    local.deliverLocal(message.k, decodePayload(message));
  });
  return {
    subscribe: local.subscribe,
    unsubscribe: local.unsubscribe,
    publish(key, payload, sender) {
      local.publish(key, payload, sender);
      if (!worker.isConnected()) return;
      const message: PublishMessage = { type: CLUSTER_PUBLISH, k: key, ...encodePayload(payload) };
      worker.send(message);
    },
  };
}

/** In the primary: passes each worker's publish on to every other worker. */
export function relayClusterPublish(from: { id: number }, message: unknown): void {
  if (!isPublishMessage(message)) return;
  for (const other of Object.values(cluster.workers ?? {}))
    if (other && other.id !== from.id && other.isConnected()) other.send(message);
}
