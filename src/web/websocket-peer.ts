import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import type { NextRequest } from "./next-request";
import type { WebSocketMessage, WebSocketMessageData, WebSocketPeer } from "./websocket-types";

/** A message as it goes on the wire: what `ws.send` takes. */
export interface Payload {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

/** Where `publish` goes: this process's subscribers, and every other process's with REDIS_URL. */
export interface TopicBus {
  subscribe(key: string, peer: Peer): void;
  unsubscribe(key: string, peer: Peer): void;
  publish(key: string, payload: Payload, sender: Peer | undefined): void;
}

/** A topic's key: topics are namespaced by the route's pathname (CrossWS's namespace). */
function topicKey(namespace: string, topic: string): string {
  return `${namespace}\n${topic}`;
}

/** Text as text, bytes as bytes, anything else as its JSON text (as CrossWS sends). */
function toPayload(data: WebSocketMessageData): Payload {
  if (typeof data === "string") return { data, binary: false };
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer)
    return { data: Buffer.from(data), binary: true };
  if (ArrayBuffer.isView(data))
    return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), binary: true };
  return { data: JSON.stringify(data), binary: false };
}

function byteLength(payload: Payload): number {
  return typeof payload.data === "string" ? Buffer.byteLength(payload.data) : payload.data.length;
}

/** What one connection may do, fixed by the runtime. */
export interface PeerLimits {
  /** Past this many queued bytes the connection is cut: a reader too slow for what it is sent. */
  readonly maxBufferedBytes: number;
}

/** A CrossWS-style peer over a `ws` WebSocket. */
export class Peer implements WebSocketPeer {
  readonly id = randomUUID();
  readonly context: Record<string, unknown> = {};
  readonly topics = new Set<string>();

  constructor(
    readonly websocket: WebSocket,
    readonly request: NextRequest,
    readonly namespace: string,
    readonly remoteAddress: string | undefined,
    private readonly bus: TopicBus,
    private readonly limits: PeerLimits,
  ) {}

  get bufferedAmount(): number {
    return this.websocket.bufferedAmount;
  }

  send(data: WebSocketMessageData): number {
    return this.deliver(toPayload(data));
  }

  /** Sends a payload already encoded (a publish reaches many peers with one encoding). */
  deliver(payload: Payload): number {
    const ws = this.websocket;
    if (ws.readyState !== ws.OPEN) return 0;
    ws.send(payload.data, { binary: payload.binary });
    if (ws.bufferedAmount > this.limits.maxBufferedBytes) ws.terminate();
    return byteLength(payload);
  }

  subscribe(topic: string): void {
    if (this.topics.has(topic)) return;
    this.topics.add(topic);
    this.bus.subscribe(topicKey(this.namespace, topic), this);
  }

  unsubscribe(topic: string): void {
    if (!this.topics.delete(topic)) return;
    this.bus.unsubscribe(topicKey(this.namespace, topic), this);
  }

  publish(topic: string, data: WebSocketMessageData): void {
    this.bus.publish(topicKey(this.namespace, topic), toPayload(data), this);
  }

  /** Leaves every topic: the connection closed. */
  leaveAll(): void {
    for (const topic of [...this.topics]) this.unsubscribe(topic);
  }

  close(code?: number, reason?: string): void {
    this.websocket.close(code, reason);
  }

  terminate(): void {
    this.websocket.terminate();
  }

  toString(): string {
    return this.id;
  }
}

/** A received message: its bytes, read as the hook asks. */
export class Message implements WebSocketMessage {
  constructor(
    private readonly bytes: Buffer,
    readonly isBinary: boolean,
  ) {}

  get rawData(): string | Uint8Array {
    return this.isBinary ? this.uint8Array() : this.text();
  }

  text(): string {
    return this.bytes.toString("utf8");
  }

  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  uint8Array(): Uint8Array {
    return new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  arrayBuffer(): ArrayBuffer {
    const copy = new Uint8Array(this.bytes.byteLength);
    copy.set(this.bytes);
    return copy.buffer;
  }

  toString(): string {
    return this.text();
  }
}

/** The bus of one process: subscribers in a Map, `publish` delivers to all but the sender. */
export function createLocalBus(): TopicBus & { deliverLocal(key: string, payload: Payload): void } {
  const subscribers = new Map<string, Set<Peer>>();
  const deliverLocal = (key: string, payload: Payload, sender?: Peer) => {
    for (const peer of subscribers.get(key) ?? []) if (peer !== sender) peer.deliver(payload);
  };
  return {
    subscribe(key, peer) {
      let set = subscribers.get(key);
      if (!set) subscribers.set(key, (set = new Set()));
      set.add(peer);
    },
    unsubscribe(key, peer) {
      const set = subscribers.get(key);
      if (!set) return;
      set.delete(peer);
      if (set.size === 0) subscribers.delete(key);
    },
    publish: (key, payload, sender) => deliverLocal(key, payload, sender),
    deliverLocal: (key, payload) => deliverLocal(key, payload),
  };
}

/** A payload as text for a bus between processes: binary data as base64, with `b` saying so. */
export function encodePayload(payload: Payload): { b: boolean; d: string } {
  const d = typeof payload.data === "string" ? payload.data : payload.data.toString("base64");
  return { b: payload.binary, d };
}

/** The payload encodePayload wrote. */
export function decodePayload(encoded: { b: boolean; d: string }): Payload {
  return encoded.b
    ? { data: Buffer.from(encoded.d, "base64"), binary: true }
    : { data: encoded.d, binary: false };
}
