import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { createUrlRedactor, DEFAULT_REDACTED_QUERY_KEYS, type UrlRedactor } from "./redact-url";

/** Route params from the URL: a string per `[name]`, an array per catch-all. */
export type Params = Record<string, string | string[]>;

/**
 * The route a request matched, as Express's `req.route` shows a matched route: `path` in
 * Express 5 syntax, plus nextpress's own `pattern` (Next's syntax) and `file`.
 */
export interface RouteRef {
  /** `/api/users/:id`, `/api/docs/*slug`, `/api/shop{/*slug}`. */
  readonly path: string;
  /** `/api/users/[id]`: the template logs, metrics and traces name a route by. */
  readonly pattern: string;
  /** Relative to the routes folder, `/`-separated. */
  readonly file: string;
  /** As Express's Route: lower-case method names, or `{ _all: true }` for a handler of every method. */
  readonly methods: Readonly<Record<string, true>>;
  /** `pages`, `edge` or `app` (unknown until a lazily loaded route is first used). */
  readonly kind: string | undefined;
}

/** What `readMultipart` may read for the route a request matched, resolved at start-up. */
export interface UploadSettings {
  /** Bytes per file, files and parts per body, bytes per field value. */
  readonly fileSize: number;
  readonly files: number;
  readonly parts: number;
  readonly fieldSize: number;
  /** Bytes besides the files' contents (fields, part headers, boundaries): the route's body limit. */
  readonly otherBytes: number;
  /** Files go to a temporary folder in `tmpDir` rather than memory. */
  readonly toDisk: boolean;
  readonly tmpDir: string;
}

/** A client's X-Request-Id is kept only when short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

function readRequestId(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Everything nextpress keeps for one request, in one typed object (one allocation, one shape)
 * rather than properties spread over `req`. Work that outlives the request (a timer it
 * started) reads it after `req` itself is let go.
 */
export class RequestState {
  readonly id: string;
  readonly startedAt = performance.now();
  /** The route that matched; undefined until the dispatcher finds one. */
  route: RouteRef | undefined = undefined;
  params: Params | undefined = undefined;
  /** Next's `req.query` and `req.cookies`, parsed on first read. */
  query: Record<string, unknown> | undefined = undefined;
  cookies: Record<string, string | undefined> | undefined = undefined;
  /** `req.log`, made on first use. */
  log: Logger | undefined = undefined;
  /** The route's `responseLimit` in bytes (false: not counted) and the bytes written so far. */
  responseLimit: number | false = false;
  responseBytes = 0;
  /** The matched route's upload limits (`config.multipart`, `export const multipart`). */
  upload: UploadSettings | undefined = undefined;
  /** The request's span, when it is traced: its log line carries them as `trace_id` and `span_id`. */
  traceId: string | undefined = undefined;
  spanId: string | undefined = undefined;
  /** The route ran past its maxDuration: answered 504 (or cut short); its later writes are dropped. */
  timedOut = false;
  /** next.config's basePath, once the request layer took it off the path (`nextUrl.basePath`). */
  basePath = "";
  /**
   * The URL a pages route's `req.url` shows once the request layer routed the request by another
   * (a rewrite, the basePath, trailingSlash): the client's, without the basePath, as in Next.
   */
  clientUrl: string | undefined = undefined;
  /** Catch-all params a next.config rewrite added to the query, kept as arrays for `req.query`. */
  rewriteParams: Params | undefined = undefined;
  /** How this request's URL is written in a log line (LOG_REDACT_QUERY); the request context sets it. */
  redactUrl: UrlRedactor = redactDefault;
  /** A WebSocket upgrade (WEBSOCKETS=on): the connection and what the client sent past the headers. */
  upgrade: { readonly socket: Duplex; readonly head: Buffer } | undefined = undefined;
  /** Once the upgrade completed: the connection's close code when it closed (its log line). */
  websocket: { closeCode: number | undefined } | undefined = undefined;
  /** The request itself until its response closes; the uncaught-exception handler answers through it. */
  req: IncomingMessage | undefined;

  constructor(req: IncomingMessage) {
    this.id = readRequestId(req.headers["x-request-id"]);
    this.req = req;
  }
}

const redactDefault = createUrlRedactor(DEFAULT_REDACTED_QUERY_KEYS);

// Symbol.for: a second copy of nextpress in the process (a route importing the sources) sees it too.
const kState = Symbol.for("nextpress.state");

type WithState = IncomingMessage & { [kState]?: RequestState };

/** The request's state, made on first use (by the request context, first in the stack). */
export function requestState(req: IncomingMessage): RequestState {
  return ((req as WithState)[kState] ??= new RequestState(req));
}

/** The state, or undefined for a request nextpress never saw. */
export function peekRequestState(req: IncomingMessage | undefined): RequestState | undefined {
  return (req as WithState | undefined)?.[kState];
}

/** The request's URL as a log line may show it: credentials in its query redacted (LOG_REDACT_QUERY). */
export function loggedUrl(req: IncomingMessage & { originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? "";
  return (peekRequestState(req)?.redactUrl ?? redactDefault)(url);
}
