import { ResponseCookies } from "@edge-runtime/cookies";
import { createLazyJson, installLazyJson, kLazyJson, type LazyJson } from "./lazy-response";
import {
  markUpgrade,
  toUpgrade,
  type WebSocketHooks,
  type WebSocketUpgrade,
  type WebSocketUpgradeOptions,
} from "./websocket-types";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Where a response's body came from, when nextpress built it: written as it is, no stream read. */
export const kBodySource: unique symbol = Symbol.for("nextpress.bodySource");
const kCookies: unique symbol = Symbol.for("nextpress.responseCookies");

/** Marks a response from `NextResponse.next()` / `.rewrite()`: middleware answers, an error in a route handler. */
export const MIDDLEWARE_ONLY_HEADERS = ["x-middleware-next", "x-middleware-rewrite"] as const;

function validUrl(url: string | URL): string {
  try {
    return String(new URL(String(url)));
  } catch (error) {
    throw new Error(
      `URL is malformed "${String(url)}". Please use only absolute URLs - https://nextjs.org/docs/messages/middleware-relative-urls`,
      { cause: error },
    );
  }
}

/** `NextResponse.next({ request: { headers } })`: the request headers the route is to see instead. */
export interface MiddlewareResponseInit extends ResponseInit {
  request?: { headers?: Headers };
}

/** As Next's handleMiddlewareField: the whole list travels as x-middleware-request-* headers. */
function carryRequestHeaders(init: MiddlewareResponseInit | undefined, headers: Headers): void {
  const override = init?.request?.headers;
  if (!override) return;
  if (!(override instanceof Headers))
    throw new Error("request.headers must be an instance of Headers");
  const keys: string[] = [];
  for (const [key, value] of override) {
    headers.set(`x-middleware-request-${key}`, value);
    keys.push(key);
  }
  headers.set("x-middleware-override-headers", keys.join(","));
}

/**
 * Next's `NextResponse`: a Web `Response` with `cookies` (a ResponseCookies over its headers) and
 * the static helpers `json`, `redirect` (301/302/303/307/308 only, as Next), `next` and `rewrite`
 * (middleware answers: returned from a route handler they are a 500, as in Next).
 */
export class NextResponse<Body = unknown> extends Response {
  declare [kBodySource]?: string | Uint8Array | null;
  declare [kCookies]?: ResponseCookies;
  declare [kLazyJson]?: LazyJson;
  /** For type inference only (`NextResponse<{ id: string }>`): never set. */
  declare readonly __body?: Body;

  constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
    super(body, init);
    if (
      body === undefined ||
      body === null ||
      typeof body === "string" ||
      body instanceof Uint8Array
    )
      this[kBodySource] = body ?? null;
  }

  get cookies(): ResponseCookies {
    return (this[kCookies] ??= new ResponseCookies(this.headers));
  }

  /** As Response.json; its Headers and body stream are made only if something reads them (see lazy-response.ts). */
  static override json<JsonBody>(body: JsonBody, init?: ResponseInit): NextResponse<JsonBody> {
    const response = Object.create(NextResponse.prototype) as NextResponse<JsonBody>;
    response[kLazyJson] = createLazyJson(body, init);
    return response;
  }

  static override redirect(url: string | URL, init?: number | ResponseInit): NextResponse {
    const status = typeof init === "number" ? init : (init?.status ?? 307);
    if (!REDIRECTS.has(status))
      throw new RangeError('Failed to execute "redirect" on "response": Invalid status code');
    const options = typeof init === "object" ? init : {};
    const headers = new Headers(options.headers);
    headers.set("Location", validUrl(url));
    return new NextResponse(null, { ...options, headers, status });
  }

  static rewrite(destination: string | URL, init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers);
    headers.set("x-middleware-rewrite", validUrl(destination));
    carryRequestHeaders(init, headers);
    return new NextResponse(null, { ...init, headers });
  }

  static next(init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers);
    headers.set("x-middleware-next", "1");
    carryRequestHeaders(init, headers);
    return new NextResponse(null, { ...init, headers });
  }

  /**
   * Accepts a WebSocket handshake from a route's `GET` (vercel/next.js#95574): the hooks run for
   * the connection, this response's headers and cookies go out on the `101`. A plain GET gets
   * 426. Served with WEBSOCKETS=on.
   *
   * @example
   * export function GET() {
   *   return NextResponse.upgrade({ message: (peer, message) => peer.send(message.text()) });
   * }
   */
  static upgrade(hooks: WebSocketHooks, options: WebSocketUpgradeOptions = {}): NextResponse<null> {
    return upgradeResponse(toUpgrade(hooks, options), undefined);
  }
}

/** An upgrade response; its clones keep the hooks, with their own copy of the headers. */
function upgradeResponse(
  upgrade: WebSocketUpgrade,
  headers: Headers | undefined,
): NextResponse<null> {
  const response = new NextResponse<null>(null, { headers });
  markUpgrade(response, upgrade);
  Object.defineProperty(response, "clone", {
    value: () => upgradeResponse(upgrade, new Headers(response.headers)),
  });
  return response;
}

installLazyJson(NextResponse.prototype, (body, init) => new NextResponse(body, init));
