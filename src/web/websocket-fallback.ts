/** Hop-by-hop, framing, handshake and internal headers: never copied onto the 426. */
const DROPPED = new Set([
  "connection",
  "content-length",
  "content-type",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "cache-control",
  "cdn-cache-control",
  "etag",
  "last-modified",
  "content-range",
  "content-digest",
]);

const BODY = "This route only accepts WebSocket upgrade requests.";

/**
 * What a request that is not an upgrade gets from a route whose GET returned
 * `NextResponse.upgrade()`, as vercel/next.js#95574 answers it: 426 with `Upgrade: websocket` and
 * `Sec-WebSocket-Version: 13`, the route's public headers and cookies kept, nothing cached.
 */
export function toUpgradeRequired(response: Response): Response {
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    if (DROPPED.has(name) || name === "set-cookie") return;
    if (name.startsWith("sec-websocket-") || name.startsWith("x-middleware-")) return;
    headers.set(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", cookie);
  headers.set("Upgrade", "websocket");
  headers.set("Sec-WebSocket-Version", "13");
  headers.set("Connection", "close");
  headers.set("Cache-Control", "private, no-cache, no-store, max-age=0, must-revalidate");
  headers.set("Content-Type", "text/plain; charset=utf-8");
  return new Response(BODY, { status: 426, headers });
}
