import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { RawData, WebSocket, WebSocketServer } from "ws";
import { sendJsonError } from "../http/json-error";
import { requestState, type Params } from "../http/request-state";
import {
  checkHandshake,
  isOriginAllowed,
  offeredProtocols,
  type HandshakeRefusal,
} from "../http/websocket-handshake";
import type { SocketExport } from "../loader/build-route";
import type { Route } from "../loader/load-routes";
import type { Rate } from "../rate";
import type { NextRequest } from "../web/next-request";
import { runWithWebRequestStore, type WebRequestStore } from "../web/request-store";
import { createLocalBus, Message, Peer, type TopicBus } from "../web/websocket-peer";
import type { WebSocketHooks, WebSocketUpgrade } from "../web/websocket-types";

/** WebSocket route handlers: whether upgrades are served, and every limit on them. */
export interface WebSocketConfig {
  /** WEBSOCKETS=on. */
  readonly enabled: boolean;
  /** ALLOWED_WS_ORIGINS, normalised to `scheme://host[:port]`; the request's own host is always allowed. */
  readonly allowedOrigins: readonly string[];
  readonly maxMessageBytes: number;
  readonly maxConnections: number;
  /** 0: no pings. */
  readonly pingIntervalMs: number;
  /** Per connection; undefined: unlimited. */
  readonly messageRate: Rate | undefined;
  readonly maxBufferedBytes: number;
}

/** Response headers that belong to the handshake itself (vercel/next.js#95574 refuses them too). */
const HANDSHAKE_HEADERS = new Set([
  "connection",
  "content-length",
  "content-type",
  "sec-websocket-accept",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "transfer-encoding",
  "upgrade",
  "x-middleware-set-cookie",
]);

/** Messages waiting for their hook before the connection stops reading (backpressure). */
const MAX_PENDING_HOOKS = 32;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    "then" in value &&
    typeof value.then === "function"
  );
}

/** A message's bytes as one Buffer, whatever `ws` delivered (fragments, an ArrayBuffer). */
function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}
/** How long closing peers get to answer the close frame before they are cut. */
const CLOSE_GRACE_MS = 2_000;

/** What the dispatcher's Web runner needs from the WebSocket side. */
export interface WebSocketRuntime {
  /** Handshake, Origin and capacity checked before any route code; false when it answered. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Completes the handshake for a `NextResponse.upgrade()` answer: 101 with its headers and cookies. */
  acceptHooks(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    request: NextRequest,
    response: Response,
    upgrade: WebSocketUpgrade,
    cookies: readonly string[],
  ): void;
  /** Completes the handshake for next-ws's UPGRADE/SOCKET. */
  acceptSocket(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    socket: SocketExport,
    request: NextRequest,
    store: WebRequestStore,
    params: Params | undefined,
  ): void;
  /** Open connections in this process. */
  readonly open: number;
  /** Closes every connection with `code` (1001 at shutdown, 1012 on a dev reload); resolves when all are gone. */
  closeAll(code: number, reason: string): Promise<void>;
}

export interface WebSocketRuntimeOptions {
  readonly config: WebSocketConfig;
  readonly logger: Logger;
  /** Where `publish` goes; default: this process only. */
  readonly bus?: TopicBus;
  /** Origins allowed besides ALLOWED_WS_ORIGINS (next.config's `experimental.webSocketRouteHandlers.allowedOrigins`). */
  readonly extraOrigins?: readonly string[];
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: HandshakeRefusal): false {
  for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
  sendJsonError(req, res, refusal.status, refusal.message);
  return false;
}

/** The 101's extra lines: what nextpress set on the response (request id, rate limit), then the route's headers and cookies. */
function handshakeLines(
  res: ServerResponse,
  response: Response | undefined,
  cookies: readonly string[],
): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (HANDSHAKE_HEADERS.has(name) || value === undefined) continue;
    if (response?.headers.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  response?.headers.forEach((value, name) => {
    if (HANDSHAKE_HEADERS.has(name))
      throw new TypeError(
        `NextResponse.upgrade() cannot set the protocol-critical "${name}" header.`,
      );
    if (name !== "set-cookie") lines.push(`${name}: ${value}`);
  });
  for (const cookie of response?.headers.getSetCookie() ?? []) lines.push(`set-cookie: ${cookie}`);
  for (const cookie of cookies) lines.push(`set-cookie: ${cookie}`);
  return lines;
}

/** A fixed-window count of one connection's messages. */
function createMessageCounter(config: WebSocketConfig): () => boolean {
  const rate = config.messageRate;
  if (!rate) return () => true;
  let windowStart = Date.now();
  let count = 0;
  return () => {
    const now = Date.now();
    if (now - windowStart >= rate.windowMs) {
      windowStart = now;
      count = 0;
    }
    return ++count <= rate.limit;
  };
}

/** `ws` (2.7 MB with what it loads), on the first upgrade rather than at start-up. */
function loadWebSocketServer(): typeof WebSocketServer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return (require("ws") as typeof import("ws")).WebSocketServer;
}

/**
 * The WebSocket side of one app: one `ws` server per route (next-ws's `server.clients` are the
 * route's clients), every open connection counted, pinged and closed at shutdown, every limit of
 * WS_* applied. Framing is `ws`'s; no permessage-deflate.
 */
export function createWebSocketRuntime(options: WebSocketRuntimeOptions): WebSocketRuntime {
  const { config, logger } = options;
  const bus = options.bus ?? createLocalBus();
  const allowedOrigins = [...config.allowedOrigins, ...(options.extraOrigins ?? [])];
  const servers = new Map<string, WebSocketServer>();
  const open = new Set<WebSocket>();
  const alive = new WeakSet<WebSocket>();
  const extraLines = new WeakMap<IncomingMessage, string[]>();
  const selectedProtocol = new WeakMap<IncomingMessage, string>();
  let pinger: NodeJS.Timeout | undefined;

  function serverFor(route: Route, kind: "hooks" | "next-ws"): WebSocketServer {
    const key = `${kind}:${route.file}`;
    let wss = servers.get(key);
    if (wss) return wss;
    wss = new (loadWebSocketServer())({
      noServer: true,
      maxPayload: config.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: kind === "next-ws",
      ...(kind === "hooks"
        ? {
            handleProtocols: (_offered: Set<string>, req: IncomingMessage) =>
              selectedProtocol.get(req) ?? false,
          }
        : {}),
    });
    wss.on("headers", (headers: string[], req: IncomingMessage) => {
      headers.push(...(extraLines.get(req) ?? []));
    });
    servers.set(key, wss);
    return wss;
  }

  function ping(): void {
    for (const ws of open) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }

  /** Counts, pings and limits one new connection; its request's log line waits for its close. */
  function track(ws: WebSocket, req: IncomingMessage, res: ServerResponse): void {
    const state = requestState(req);
    res.statusCode = 101;
    state.websocket = { closeCode: undefined };
    open.add(ws);
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    if (config.pingIntervalMs > 0 && !pinger) {
      pinger = setInterval(ping, config.pingIntervalMs);
      pinger.unref();
    }
    const withinRate = createMessageCounter(config);
    ws.on("message", () => {
      alive.add(ws);
      if (!withinRate()) ws.close(1008, "Message rate exceeded");
    });
    ws.once("close", (code: number) => {
      open.delete(ws);
      if (state.websocket) state.websocket.closeCode = code;
      if (open.size === 0 && pinger) {
        clearInterval(pinger);
        pinger = undefined;
      }
      // The request's log line and span end here, with the close code.
      res.emit("close");
    });
  }

  function handshake(
    wss: WebSocketServer,
    req: IncomingMessage,
    res: ServerResponse,
    lines: string[],
    onOpen: (ws: WebSocket) => void,
  ): void {
    const upgrade = requestState(req).upgrade;
    if (!upgrade) throw new Error("not an upgrade request");
    extraLines.set(req, lines);
    wss.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => {
      extraLines.delete(req);
      // The connection is the WebSocket's now: the response neither writes to it nor closes with it.
      res.detachSocket(upgrade.socket as Socket);
      track(ws, req, res);
      onOpen(ws);
    });
  }

  function runHooks(
    route: Route,
    req: IncomingMessage,
    ws: WebSocket,
    peer: Peer,
    hooks: WebSocketHooks,
  ): void {
    const log = (req as IncomingMessage & { log?: Logger }).log ?? logger;
    let queue: Promise<void> = Promise.resolve();
    // Hooks started and not yet settled: while one is, the next waits for it (hooks run in order).
    let busy = 0;
    let pending = 0;
    let failed = false;
    const fail = (name: string, error: unknown, closeOnError: boolean) => {
      log.error(
        { err: error, route: route.file, hook: name },
        `WebSocket ${name} hook failed${closeOnError ? ": closing with 1011" : ""}`,
      );
      if (closeOnError && !failed && ws.readyState === ws.OPEN) {
        failed = true;
        ws.close(1011, "WebSocket handler failed");
      }
    };
    const settled = (done: (() => void) | undefined) => {
      busy--;
      done?.();
    };
    /**
     * Runs a hook after the ones before it. With none of them still running it is called at once,
     * so a hook that answers synchronously (an echo) costs no promise; one that returns a promise
     * makes the next wait for it. `done` runs once the hook settled, however it ended.
     */
    const run = (name: string, call: () => unknown, closeOnError: boolean, done?: () => void) => {
      busy++;
      if (busy > 1) {
        queue = queue.then(async () => {
          try {
            await call();
          } catch (error) {
            fail(name, error, closeOnError);
          } finally {
            settled(done);
          }
        });
        return;
      }
      let result: unknown;
      try {
        result = call();
      } catch (error) {
        fail(name, error, closeOnError);
        return settled(done);
      }
      if (!isPromiseLike(result)) return settled(done);
      queue = Promise.resolve(result).then(
        () => settled(done),
        (error: unknown) => {
          fail(name, error, closeOnError);
          settled(done);
        },
      );
    };
    const { open: onOpen, message, close, error } = hooks;
    if (onOpen) run("open", () => onOpen(peer), true);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (!message || failed) return;
      // ws hands each message its own Buffer (binaryType "nodebuffer"): kept, not copied.
      const bytes = Buffer.isBuffer(data) ? data : toBuffer(data);
      pending++;
      if (pending === MAX_PENDING_HOOKS) ws.pause();
      run(
        "message",
        () => message(peer, new Message(bytes, isBinary)),
        true,
        () => {
          if (pending-- === MAX_PENDING_HOOKS) ws.resume();
        },
      );
    });
    ws.on("error", (cause: Error) => {
      if (error) run("error", () => error(peer, cause), true);
    });
    ws.once("close", (code: number, reason: Buffer) => {
      peer.leaveAll();
      if (close) run("close", () => close(peer, { code, reason: reason.toString() }), false);
    });
  }

  return {
    admit(req, res) {
      const refusal = checkHandshake(req);
      if (refusal) return refuse(req, res, refusal);
      if (!isOriginAllowed(req, allowedOrigins))
        return refuse(req, res, { status: 403, message: "WebSocket origin is not allowed." });
      if (open.size >= config.maxConnections)
        return refuse(req, res, {
          status: 503,
          message: "Too many WebSocket connections",
          headers: { "Retry-After": "5" },
        });
      return true;
    },

    acceptHooks(route, req, res, request, response, upgrade, cookies) {
      if (upgrade.protocol !== undefined && !offeredProtocols(req).includes(upgrade.protocol)) {
        sendJsonError(
          req,
          res,
          400,
          "Selected WebSocket subprotocol was not offered by the client.",
        );
        return;
      }
      if (upgrade.protocol !== undefined) selectedProtocol.set(req, upgrade.protocol);
      const lines = handshakeLines(res, response, cookies);
      const namespace = request.nextUrl.pathname;
      const remoteAddress = (req as IncomingMessage & { ip?: string }).ip;
      handshake(serverFor(route, "hooks"), req, res, lines, (ws) => {
        const peer = new Peer(ws, request, namespace, remoteAddress, bus, config);
        runHooks(route, req, ws, peer, upgrade.hooks);
      });
    },

    acceptSocket(route, req, res, socket, request, store, params) {
      const wss = serverFor(route, "next-ws");
      const log = (req as IncomingMessage & { log?: Logger }).log ?? logger;
      handshake(wss, req, res, handshakeLines(res, undefined, []), (ws) => {
        wss.emit("connection", ws, req);
        const context = { params: { ...params } };
        const handler = socket.handler as (...args: unknown[]) => unknown;
        Promise.resolve()
          .then(() =>
            socket.legacy
              ? handler(ws, req, wss, context)
              : runWithWebRequestStore(store, () => handler(ws, wss, request, context)),
          )
          .then((onClose) => {
            if (socket.legacy && typeof onClose === "function")
              ws.once("close", () => void (onClose as () => unknown)());
          })
          .catch((error: unknown) => {
            log.error(
              { err: error, route: route.file },
              "WebSocket handler failed: closing with 1011",
            );
            if (ws.readyState === ws.OPEN) ws.close(1011, "Internal Server Error");
          });
      });
    },

    get open() {
      return open.size;
    },

    closeAll(code, reason) {
      const closing = [...open].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once("close", () => resolve());
            ws.close(code, reason);
            setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
          }),
      );
      return Promise.all(closing).then(() => undefined);
    },
  };
}
