import type { IncomingMessage } from "node:http";

/** An answer given before the handshake completes: nothing of the route has run. */
export interface HandshakeRefusal {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

// RFC 9110 §5.6.2 token, as a subprotocol name must be (RFC 6455 §4.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6455 §4.1: a base64-encoded 16-byte nonce.
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** True for a request that asks to become a WebSocket (RFC 6455 §4.1: `Upgrade: websocket`). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return typeof upgrade === "string" && upgrade.toLowerCase() === "websocket";
}

function hasToken(header: string | undefined, token: string): boolean {
  return (header ?? "").split(",").some((value) => value.trim().toLowerCase() === token);
}

/** The subprotocols the client offers, in its order. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers["sec-websocket-protocol"];
  if (!header) return [];
  return header.split(",").map((value) => value.trim());
}

/**
 * RFC 6455 §4.2.1 checked before any route code runs, with the answers Next gives (vercel/next.js
 * #95574): 405 for a method other than GET, 426 with `Sec-WebSocket-Version: 13` for another
 * version, 400 for a bad key, Connection, Host or subprotocol list.
 */
export function checkHandshake(req: IncomingMessage): HandshakeRefusal | undefined {
  if (req.method !== "GET")
    return { status: 405, message: "WebSocket upgrades require GET.", headers: { Allow: "GET" } };
  if (!hasToken(req.headers.connection, "upgrade"))
    return { status: 400, message: "Invalid WebSocket Connection header." };
  if (req.headers["sec-websocket-version"] !== "13")
    return {
      status: 426,
      message: "Unsupported WebSocket version.",
      headers: { "Sec-WebSocket-Version": "13", Upgrade: "websocket" },
    };
  if (!req.headers.host) return { status: 400, message: "Invalid WebSocket Host header." };
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || !KEY.test(key) || Buffer.from(key, "base64").length !== 16)
    return { status: 400, message: "Invalid Sec-WebSocket-Key header." };
  const protocols = offeredProtocols(req);
  if (protocols.some((p) => !TOKEN.test(p)) || new Set(protocols).size !== protocols.length)
    return { status: 400, message: "Invalid Sec-WebSocket-Protocol header." };
  return undefined;
}

/**
 * A browser's `Origin` must be the server's own host or one of `allowed` (cross-site WebSocket
 * hijacking: a page elsewhere would open the socket with the user's cookies). A client that
 * sends no Origin (not a browser) passes.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin)
    return false;
  if (allowed.includes(url.origin)) return true;
  const host = req.headers.host;
  return (
    host !== undefined &&
    URL.canParse(`http://${host}`) &&
    new URL(`http://${host}`).host === url.host
  );
}

/** True for one exact HTTP(S) origin as a browser sends it: `https://host[:port]`, nothing more. */
function isExactOrigin(value: unknown): value is string {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const url = new URL(value);
  const http = url.protocol === "http:" || url.protocol === "https:";
  return http && !url.hostname.includes("*") && url.origin === value;
}

/**
 * next.config's `experimental.webSocketRouteHandlers`: `true`, or `{ allowedOrigins: [...] }` with
 * exact origins (vercel/next.js#95574 compares them exactly; the server's own host is always
 * allowed). The origins, and a problem for each entry that could never match.
 */
export function readWebSocketOrigins(experimental: unknown): {
  origins: string[];
  problems: string[];
} {
  const option = (experimental as { webSocketRouteHandlers?: unknown } | undefined)
    ?.webSocketRouteHandlers;
  const list = (option as { allowedOrigins?: unknown } | undefined)?.allowedOrigins;
  if (typeof option !== "object" || option === null || list === undefined)
    return { origins: [], problems: [] };
  const where = "experimental.webSocketRouteHandlers.allowedOrigins";
  if (!Array.isArray(list)) return { origins: [], problems: [`${where} must be an array`] };
  const bad = list.filter((item) => !isExactOrigin(item));
  const problems = bad.map(
    (item) =>
      `${where}: ${JSON.stringify(item)} is not an exact origin such as https://app.example.com (scheme, host, port; no path, slash or wildcard)`,
  );
  return { origins: list.filter(isExactOrigin), problems };
}
