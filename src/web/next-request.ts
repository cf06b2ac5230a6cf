import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestCookies } from "@edge-runtime/cookies";
import { peekRequestState } from "../http/request-state";
import { NextURL } from "./next-url";
import { Readable } from "node:stream";
import { isMultipart, limitedBody, readFormData } from "./form-data";
import {
  BodyLimitError,
  nodeBodyStream,
  readNodeBody,
  readWebStream,
  type BodyLimit,
} from "./request-body";

/** An incoming request seen through the Web API: built from Node's on first use of each part. */
interface NodeSource {
  readonly req: IncomingMessage & { protocol?: string; host?: string; originalUrl?: string };
  readonly res: ServerResponse;
  readonly method: string;
  readonly limit: BodyLimit;
  /** `dynamic = "force-static"`: the request as a static render sees it: no headers, cookies or search. */
  readonly stripped: boolean;
  /** Told when the handler reads headers or cookies (dynamic usage: no shared caching). */
  readonly onDynamicUse?: (what: string) => void;
  /** next.config's basePath: `nextUrl` shows the path without it (the proxy's request). */
  readonly basePath: string;
  /** The proxy's request: what it reads of the body is kept for the route (`keptBody`). */
  readonly keepBody: boolean;
  kept?: Promise<Buffer>;
  url?: string;
  headers?: Headers;
  body?: ReadableStream<Uint8Array> | null;
  buffer?: Buffer;
  consumed: boolean;
  signal?: AbortSignal;
}

const kNode: unique symbol = Symbol.for("nextpress.nodeRequest") as never;
const kCookies: unique symbol = Symbol.for("nextpress.requestCookies") as never;
const kNextUrl: unique symbol = Symbol.for("nextpress.nextUrl") as never;

const NO_BODY_METHODS = new Set(["GET", "HEAD"]);
const UNLIMITED: BodyLimit = { bytes: Infinity, text: "unlimited" };

/** A getter of Request.prototype on a real request (TypeScript has no `super.x` for accessors). */
function inherited<T>(self: object, name: string): T {
  return Reflect.get(Request.prototype, name, self) as T;
}

/** Node's headers, every line kept (repeated ones appended), as Web `Headers`. */
function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A name or value Headers refuses (Node let it through): the handler cannot see it.
    }
  }
  return headers;
}

function absoluteUrl(source: NodeSource): string {
  const { req } = source;
  // Express's getters: X-Forwarded-Proto and -Host count only from a proxy TRUST_PROXY trusts. The
  // host was checked once per request (http/request-host.ts); the URL is built by parts, never by
  // concatenation, so no value can move the host, path or query.
  const url = new URL("http://localhost/");
  if (req.protocol === "https") url.protocol = "https:";
  const host = req.host ?? req.headers.host;
  if (host) url.host = host;
  const target = req.originalUrl ?? req.url ?? "/";
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  url.pathname = path.startsWith("/") ? path : `/${path}`;
  if (queryAt !== -1 && !source.stripped) url.search = target.slice(queryAt);
  return url.href;
}

/**
 * Next's `NextRequest`: a Web `Request` (it is an `instanceof Request`) with `cookies` and
 * `nextUrl`. Constructed by a user (`new NextRequest(url, init)`) it is a real Request. The one a
 * route handler receives is built from Node's request lazily: the URL, the headers, the body
 * stream and the abort signal cost nothing until the handler reads them, so a handler that only
 * answers pays for none of them. Such a request cannot be passed as-is to `new Request(request)`
 * or `fetch(request)` (they read Request's internal state): use `request.clone()`.
 */
export class NextRequest extends Request {
  declare [kNode]?: NodeSource;
  declare [kCookies]?: RequestCookies;
  declare [kNextUrl]?: NextURL;

  constructor(input: string | URL | Request, init: RequestInit = {}) {
    const source =
      typeof input === "object" && input !== null ? (input as NextRequest)[kNode] : undefined;
    if (source) {
      const from = input as NextRequest;
      const body = NO_BODY_METHODS.has(from.method) ? null : from.body;
      super(from.url, {
        method: from.method,
        headers: from.headers,
        body,
        duplex: "half",
        signal: from.signal,
        ...init,
      } as RequestInit);
    } else {
      super(input, init);
    }
  }

  /** The request a route handler receives, read from Node's request as it is used. */
  static fromNode(
    req: NodeSource["req"],
    res: ServerResponse,
    options: {
      method?: string;
      limit?: BodyLimit;
      stripped?: boolean;
      buffer?: Buffer;
      onDynamicUse?: (what: string) => void;
      /** The absolute URL to show, when not the one the client sent (the proxy sees it without the basePath). */
      url?: string;
      /** next.config's basePath, for `nextUrl.basePath` and a `nextUrl.pathname` without it. */
      basePath?: string;
      /** Keep the body the handler reads, for the route after it (the proxy's request, as Next tees it). */
      keepBody?: boolean;
    } = {},
  ): NextRequest {
    const request = Object.create(NextRequest.prototype) as NextRequest;
    request[kNode] = {
      req,
      res,
      method: options.method ?? req.method ?? "GET",
      limit: options.limit ?? UNLIMITED,
      stripped: options.stripped ?? false,
      onDynamicUse: options.onDynamicUse,
      buffer: options.buffer,
      url: options.url,
      basePath: options.basePath ?? "",
      keepBody: options.keepBody ?? false,
      consumed: false,
    };
    return request;
  }

  get cookies(): RequestCookies {
    return (this[kCookies] ??= new RequestCookies(this.headers));
  }

  get nextUrl(): NextURL {
    const source = this[kNode];
    const basePath = source?.basePath || (source && peekRequestState(source.req)?.basePath) || "";
    return (this[kNextUrl] ??= new NextURL(this.url, { nextConfig: { basePath } }));
  }
}

// Request declares these as properties, so a subclass cannot override them as accessors in
// TypeScript: they are defined here, on NextRequest.prototype, over Request.prototype's.
const DEFAULTS: Record<string, unknown> = {
  cache: "default",
  credentials: "same-origin",
  destination: "",
  integrity: "",
  keepalive: false,
  mode: "cors",
  redirect: "follow",
  referrer: "about:client",
  referrerPolicy: "",
};

const accessors: Record<string, (this: NextRequest) => unknown> = {
  url(this: NextRequest): string {
    const source = this[kNode];
    if (!source) return inherited(this, "url");
    return (source.url ??= absoluteUrl(source));
  },
  method(this: NextRequest): string {
    return this[kNode]?.method ?? inherited(this, "method");
  },
  headers(this: NextRequest): Headers {
    const source = this[kNode];
    if (!source) return inherited(this, "headers");
    if (!source.headers) {
      source.onDynamicUse?.("headers");
      source.headers = source.stripped ? new Headers() : toHeaders(source.req);
    }
    return source.headers;
  },
  body(this: NextRequest): ReadableStream<Uint8Array> | null {
    const source = this[kNode];
    if (!source) return inherited(this, "body");
    if (source.body === undefined) {
      if (NO_BODY_METHODS.has(source.method)) source.body = null;
      else if (source.buffer) source.body = new Response(source.buffer).body;
      else if (source.keepBody) {
        const [mine, kept] = nodeBodyStream(source.req, source.limit).tee();
        source.body = mine;
        source.kept = readWebStream(kept, source.limit);
        // Read whatever the handler does; a failure here is the proxy step's to report, if it asks.
        source.kept.catch(() => undefined);
      } else source.body = nodeBodyStream(source.req, source.limit);
    }
    return source.body;
  },
  bodyUsed(this: NextRequest): boolean {
    const source = this[kNode];
    if (!source) return inherited(this, "bodyUsed");
    return source.consumed || (source.body?.locked ?? false);
  },
  signal(this: NextRequest): AbortSignal {
    const source = this[kNode];
    if (!source) return inherited(this, "signal");
    if (!source.signal) {
      const controller = new AbortController();
      source.signal = controller.signal;
      const { res } = source;
      const abortIfLeft = () => {
        // The route ran past its maxDuration: answered 504 meanwhile (router/deadline.ts).
        if (peekRequestState(source.req)?.timedOut)
          controller.abort(new DOMException("The route ran past its maxDuration", "TimeoutError"));
        else if (!res.writableFinished)
          controller.abort(
            new DOMException("The client went away before the response was complete", "AbortError"),
          );
      };
      if (res.closed) abortIfLeft();
      else res.once("close", abortIfLeft);
    }
    return source.signal;
  },
  duplex(this: NextRequest): string {
    return "half";
  },
};
for (const name of Object.keys(DEFAULTS)) {
  accessors[name] = function (this: NextRequest) {
    return this[kNode] ? DEFAULTS[name] : inherited(this, name);
  };
}
for (const [name, get] of Object.entries(accessors)) {
  Object.defineProperty(NextRequest.prototype, name, { get, configurable: true, enumerable: true });
}

/** The whole body, once: from what was already read, the stream handed out, or Node's request. */
async function readAll(source: NodeSource): Promise<Buffer> {
  if (source.consumed) throw new TypeError("Body is unusable: Body has already been read");
  source.consumed = true;
  if (NO_BODY_METHODS.has(source.method)) return Buffer.alloc(0);
  if (source.buffer) return source.buffer;
  if (source.body) return readWebStream(source.body, source.limit);
  if (!source.keepBody) return readNodeBody(source.req, source.limit);
  source.kept = readNodeBody(source.req, source.limit);
  return source.kept;
}

/** The body as a Node stream of at most `limit` bytes, once (a multipart body, read part by part). */
function bodyReadable(source: NodeSource, limit = source.limit): Readable {
  if (source.consumed) throw new TypeError("Body is unusable: Body has already been read");
  source.consumed = true;
  if (source.buffer) return Readable.from([source.buffer]);
  if (source.keepBody) {
    const kept = (source.kept = readNodeBody(source.req, limit));
    kept.catch(() => undefined);
    return Readable.from(
      (async function* () {
        yield await kept;
      })(),
    );
  }
  if (source.body) return Readable.fromWeb(source.body as import("node:stream/web").ReadableStream);
  const { req } = source;
  const declared = Number(req.headers["content-length"]);
  if (declared > limit.bytes) throw new BodyLimitError(limit.text);
  return limitedBody(req, limit);
}

type Method = (this: NextRequest, ...args: never[]) => unknown;

/** Request's own method, for a real request. */
function inheritedCall<T>(self: NextRequest, name: string): T {
  return (Reflect.get(Request.prototype, name) as (this: Request) => T).call(self);
}

// Likewise the body methods and clone(), which Request's types declare as properties.
const methods: Record<string, Method> = {
  async text(this: NextRequest): Promise<string> {
    const source = this[kNode];
    if (!source) return inheritedCall<Promise<string>>(this, "text");
    return new TextDecoder().decode(await readAll(source));
  },
  async json(this: NextRequest): Promise<unknown> {
    if (!this[kNode]) return inheritedCall<Promise<unknown>>(this, "json");
    return JSON.parse(await this.text());
  },
  async arrayBuffer(this: NextRequest): Promise<ArrayBuffer> {
    const source = this[kNode];
    if (!source) return inheritedCall<Promise<ArrayBuffer>>(this, "arrayBuffer");
    const bytes = await readAll(source);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  },
  async bytes(this: NextRequest): Promise<Uint8Array> {
    const source = this[kNode];
    if (!source)
      return new Uint8Array(await inheritedCall<Promise<ArrayBuffer>>(this, "arrayBuffer"));
    return new Uint8Array(await readAll(source));
  },
  async blob(this: NextRequest): Promise<Blob> {
    const source = this[kNode];
    if (!source) return inheritedCall<Promise<Blob>>(this, "blob");
    return new Blob([await readAll(source)], { type: this.headers.get("content-type") ?? "" });
  },
  async formData(this: NextRequest): Promise<FormData> {
    const source = this[kNode];
    if (!source) return inheritedCall<Promise<FormData>>(this, "formData");
    const type = this.headers.get("content-type") ?? "";
    if (isMultipart(type) && !NO_BODY_METHODS.has(source.method))
      return readFormData(bodyReadable(source), type, source.limit);
    return new Response(await readAll(source), { headers: { "content-type": type } }).formData();
  },
  /** A real Request with the same URL, method, headers and body; the body is shared by tee-ing it. */
  clone(this: NextRequest): NextRequest {
    const source = this[kNode];
    if (!source) return new NextRequest(inheritedCall<Request>(this, "clone"));
    if (source.consumed) throw new TypeError("Body is unusable: Body has already been read");
    let body: ReadableStream<Uint8Array> | null = null;
    const stream = this.body;
    if (stream) {
      const [mine, theirs] = stream.tee();
      source.body = mine;
      body = theirs;
    }
    return new NextRequest(this.url, {
      method: this.method,
      headers: new Headers(this.headers),
      body,
      duplex: "half",
      signal: this.signal,
    } as RequestInit);
  },
};
for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(NextRequest.prototype, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * The Node request and response behind a request nextpress handed a route, or undefined.
 * @public (web/read-multipart.ts requires it lazily)
 */
export function nodeMessagesOf(
  request: Request,
):
  { req: IncomingMessage; res: ServerResponse; take: (limit?: BodyLimit) => Readable } | undefined {
  const source = (request as NextRequest)[kNode];
  if (!source) return undefined;
  return { req: source.req, res: source.res, take: (limit) => bodyReadable(source, limit) };
}

/**
 * What the handler of a `keepBody` request read of its body (the whole body), or undefined if it read none.
 * @public (router/run-proxy.ts requires it lazily)
 */
export function keptBody(request: Request): Promise<Buffer> | undefined {
  return (request as NextRequest)[kNode]?.kept;
}

/** True for the request a route handler received from nextpress (not one a user constructed). */
export function isNodeBacked(request: Request): boolean {
  return (request as NextRequest)[kNode] !== undefined;
}
