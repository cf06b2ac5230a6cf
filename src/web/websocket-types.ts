import type { NextRequest } from "./next-request";

/** What a peer can send: text, binary, or any other value as its JSON text (as CrossWS). */
export type WebSocketMessageData =
  | string
  | ArrayBuffer
  | SharedArrayBuffer
  | ArrayBufferView
  | Record<string, unknown>
  | unknown[]
  | number
  | boolean
  | null;

/**
 * One WebSocket connection, as `NextResponse.upgrade()`'s hooks see it (vercel/next.js#95574, a
 * CrossWS peer). Topics are namespaced by the route's pathname: `publish("room", …)` on
 * `/api/chat` never reaches a peer of `/api/other`.
 */
export interface WebSocketPeer {
  /** Unique identifier for this connection. */
  readonly id: string;
  /** The remote address, as `req.ip` gives it (TRUST_PROXY decides). */
  readonly remoteAddress: string | undefined;
  /** The request that opened the connection. */
  readonly request: NextRequest;
  /** The route's pathname, which namespaces topics. */
  readonly namespace: string;
  /** Free for the application: what it wants to keep per connection. */
  readonly context: Record<string, unknown>;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** The topics this peer subscribed to. */
  readonly topics: ReadonlySet<string>;
  /** Sends a message; objects go as their JSON text. Returns the bytes queued. */
  send(data: WebSocketMessageData): number;
  /** Receives what `publish(topic, …)` sends, from any peer of this route (on any replica with REDIS_URL). */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Sends to every other peer subscribed to `topic` on this route, never to this one. */
  publish(topic: string, data: WebSocketMessageData): void;
  /** Starts the closing handshake (code 1000, or 3000–4999 for the application's own). */
  close(code?: number, reason?: string): void;
  /** Cuts the connection without a closing handshake. */
  terminate(): void;
}

/** A message a peer received. */
export interface WebSocketMessage {
  /** The bytes, or the text, as they arrived. */
  readonly rawData: string | Uint8Array;
  /** Whether the frame was binary. */
  readonly isBinary: boolean;
  text(): string;
  json<T = unknown>(): T;
  uint8Array(): Uint8Array;
  arrayBuffer(): ArrayBuffer;
}

export interface WebSocketCloseDetails {
  readonly code: number;
  readonly reason: string;
}

/** `NextResponse.upgrade()`'s hooks: each runs after the previous one for the same peer finished. */
export interface WebSocketHooks {
  open?: (peer: WebSocketPeer) => void | Promise<void>;
  message?: (peer: WebSocketPeer, message: WebSocketMessage) => void | Promise<void>;
  close?: (peer: WebSocketPeer, details: WebSocketCloseDetails) => void | Promise<void>;
  error?: (peer: WebSocketPeer, error: Error) => void | Promise<void>;
}

export interface WebSocketUpgradeOptions {
  /** The one subprotocol the server selects; the client must have offered it. */
  protocol?: string;
}

/** What `NextResponse.upgrade()` marks its response with. */
export interface WebSocketUpgrade {
  readonly hooks: Readonly<WebSocketHooks>;
  readonly protocol?: string;
}

const kUpgrade = Symbol.for("nextpress.websocketUpgrade");

export function markUpgrade(response: Response, upgrade: WebSocketUpgrade): void {
  Object.defineProperty(response, kUpgrade, { value: upgrade });
}

/** The hooks of a `NextResponse.upgrade()` response; undefined for any other response. */
export function readUpgrade(response: Response): WebSocketUpgrade | undefined {
  return (response as Response & { [kUpgrade]?: WebSocketUpgrade })[kUpgrade];
}

const HOOKS = new Set(["open", "message", "close", "error"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function own<T>(object: object, name: string): T | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(object, name);
  if (!descriptor) return undefined;
  return ("value" in descriptor ? descriptor.value : descriptor.get?.call(object)) as T;
}

/** Checks and snapshots `NextResponse.upgrade()`'s arguments with Next's messages. */
export function toUpgrade(
  hooks: WebSocketHooks,
  options: WebSocketUpgradeOptions,
): WebSocketUpgrade {
  if (!isPlainObject(hooks)) throw new TypeError("NextResponse.upgrade() requires a hooks object.");
  for (const name of Reflect.ownKeys(hooks))
    if (typeof name !== "string" || !HOOKS.has(name))
      throw new TypeError(`NextResponse.upgrade() does not support the "${String(name)}" hook.`);
  const snapshot: Record<string, unknown> = {};
  for (const name of HOOKS) {
    const hook = own<unknown>(hooks, name);
    if (hook === undefined) continue;
    if (typeof hook !== "function")
      throw new TypeError(`NextResponse.upgrade() hook "${name}" must be a function.`);
    snapshot[name] = hook;
  }
  if (!isPlainObject(options))
    throw new TypeError("NextResponse.upgrade() options must be an object.");
  for (const name of Reflect.ownKeys(options))
    if (name !== "protocol")
      throw new TypeError(`NextResponse.upgrade() does not support the "${String(name)}" option.`);
  const protocol = own<unknown>(options, "protocol");
  if (protocol !== undefined && (typeof protocol !== "string" || !TOKEN.test(protocol)))
    throw new TypeError(
      "NextResponse.upgrade() protocol must be a valid WebSocket subprotocol token.",
    );
  return Object.freeze({
    hooks: Object.freeze(snapshot) as Readonly<WebSocketHooks>,
    ...(protocol === undefined ? {} : { protocol }),
  });
}
