import { STATUS_CODES, type ServerResponse } from "node:http";
import { isBodyUsed, lazyHeaders, lazyJsonOf, type LazyJson } from "./lazy-response";
import { kBodySource } from "./next-response";
import { undiciBodySource } from "../internals/undici";

export interface WriteOptions {
  /** HEAD, or a status that has no body: headers only. */
  readonly head: boolean;
  /** `Set-Cookie` lines to add (what `cookies().set/delete` asked for). */
  readonly cookies?: readonly string[];
  /** A `Cache-Control` to add when the response sets none (a route's `revalidate`). */
  readonly cacheControl?: string;
}

type Source = string | Uint8Array | null;

/** The body as the string or bytes it was built from, when that can be known without reading it. */
function knownSource(response: Response): Source | undefined {
  if (response.bodyUsed) return undefined;
  const own = (response as Response & { [kBodySource]?: Source })[kBodySource];
  if (own !== undefined) return own;
  // Written at once instead of read back through a stream: a third of the cost of a small JSON answer.
  return undiciBodySource(response);
}

const STATUS_WITHOUT_BODY = new Set([101, 103, 204, 205, 304]);

/** A body HEAD measures to give its Content-Length; a longer (or endless) one gets none. */
const HEAD_MEASURE_MAX = 1024 * 1024;

async function measure(response: Response): Promise<number | undefined> {
  const source = knownSource(response);
  if (source) return typeof source === "string" ? Buffer.byteLength(source) : source.byteLength;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return length;
      length += value.byteLength;
      if (length > HEAD_MEASURE_MAX) return undefined;
    }
  } catch {
    return undefined;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}

/** Bodies up to this size are written with the headers in one string (see endWith). */
const ONE_WRITE_MAX = 16 * 1024;

/**
 * Ends `res` with `body`. Node writes headers and a string body as one string (one `write`), but
 * headers and a byte body as two buffers (a `writev`, twice the cost for a small JSON answer):
 * small bytes go as a latin1 string, which maps each byte to itself.
 */
function endWith(res: ServerResponse, body: string | Uint8Array): void {
  if (typeof body === "string" || body.byteLength > ONE_WRITE_MAX) return void res.end(body);
  res.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1"), "latin1");
}
const SAFE_STATUS_TEXT = /^[\t\x20-\x7e]*$/;

function writeHeaders(response: Response, res: ServerResponse, options: WriteOptions): void {
  res.statusCode = response.status;
  const text = response.statusText;
  if (text && text !== STATUS_CODES[response.status] && SAFE_STATUS_TEXT.test(text))
    res.statusMessage = text;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  appendCookies(res, response.headers.getSetCookie(), options);
  if (options.cacheControl && !response.headers.has("cache-control"))
    res.setHeader("Cache-Control", options.cacheControl);
}

/**
 * Each cookie its own line (Headers would join them with commas): any a middleware set before the
 * handler ran, then the response's, then those `cookies()` set.
 */
function appendCookies(res: ServerResponse, own: readonly string[], options: WriteOptions): void {
  const added = options.cookies ?? [];
  if (own.length === 0 && added.length === 0) return;
  const earlier = res.getHeader("set-cookie");
  res.setHeader("Set-Cookie", [
    ...(earlier === undefined ? [] : [earlier].flat().map(String)),
    ...own,
    ...added,
  ]);
}

const NEXT_TURN = Symbol("not yet");

/**
 * Resolves a few microtasks from now: a stream that already holds its end (undici closes a
 * Response made from a string right after its one chunk) answers a read before it; a stream
 * still producing does not, and is streamed. A miss only costs a chunked answer.
 */
function nextTurn(): Promise<typeof NEXT_TURN> {
  return new Promise((resolve) => {
    let hops = 0;
    const hop = () => (++hops >= 3 ? resolve(NEXT_TURN) : queueMicrotask(hop));
    queueMicrotask(hop);
  });
}

/** Resolves when `res` can take more (drained), or is gone (closed): never hangs on a client that left. */
function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** A lazy NextResponse.json(): its status, its headers (only content-type, unless it was given more), its JSON text. */
function writeLazyJson(state: LazyJson, res: ServerResponse, options: WriteOptions): void {
  if (isBodyUsed(state))
    throw new TypeError("Response body is unusable: Body has already been read");
  res.statusCode = state.status;
  if (
    state.statusText &&
    state.statusText !== STATUS_CODES[state.status] &&
    SAFE_STATUS_TEXT.test(state.statusText)
  )
    res.statusMessage = state.statusText;
  if (state.headers || state.init?.headers !== undefined) {
    const headers = lazyHeaders(state);
    for (const [name, value] of headers) if (name !== "set-cookie") res.setHeader(name, value);
    appendCookies(res, headers.getSetCookie(), options);
  } else {
    res.setHeader("content-type", "application/json");
    appendCookies(res, [], options);
  }
  if (options.cacheControl && !res.hasHeader("cache-control"))
    res.setHeader("Cache-Control", options.cacheControl);
  if (options.head) {
    res.setHeader("Content-Length", Buffer.byteLength(state.text));
    res.end();
  } else {
    res.end(state.text);
  }
}

/**
 * Writes a Web `Response` to Node's: status, headers (every `Set-Cookie` on its own line), and the
 * body: at once when it is a known string or bytes, else streamed chunk by chunk with
 * backpressure (a slow client holds the stream, it does not fill memory), flushed as it comes
 * (server-sent events). A client that leaves cancels the stream. Resolves once written; a stream
 * that fails before its first chunk rejects (the caller answers 500), after it cuts the connection.
 */
export async function writeWebResponse(
  response: Response,
  res: ServerResponse,
  options: WriteOptions,
): Promise<void> {
  const lazy = lazyJsonOf(response);
  if (lazy) return writeLazyJson(lazy, res, options);
  writeHeaders(response, res, options);
  const body = response.body;
  if (options.head || STATUS_WITHOUT_BODY.has(response.status) || body === null) {
    // HEAD answers with the Content-Length GET would send, as Express does: the body is measured, then dropped.
    const length =
      options.head && body !== null && !STATUS_WITHOUT_BODY.has(response.status)
        ? await measure(response)
        : undefined;
    if (length !== undefined && !res.hasHeader("content-length"))
      res.setHeader("Content-Length", length);
    if (body && !body.locked) void body.cancel().catch(() => undefined);
    res.end();
    return;
  }
  const source = knownSource(response);
  if (source !== undefined) {
    if (source === null) res.end();
    else endWith(res, source);
    return;
  }
  const reader = body.getReader();
  // An event stream's client waits for the headers to open it, not for the first event; and a
  // proxy must pass each event on as it comes (nginx buffers a response unless told so).
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    if (!res.hasHeader("x-accel-buffering")) res.setHeader("X-Accel-Buffering", "no");
    res.flushHeaders();
  }
  const cancel = () => {
    if (!res.writableFinished) void reader.cancel().catch(() => undefined);
  };
  // The client left while the handler was still working: no "close" is left to come.
  if (res.closed) return cancel();
  res.once("close", cancel);
  let started = false;
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    // A body that is all there at once (a Response made from a string, in Node 22+): one write
    // with its Content-Length, not a chunked stream and a second write to end it.
    let next = reader.read();
    const soon = await Promise.race([next, nextTurn()]);
    if (soon !== NEXT_TURN && soon.done) {
      if (!res.headersSent && !res.hasHeader("content-length"))
        res.setHeader("Content-Length", first.value.byteLength);
      return endWith(res, first.value);
    }
    started = true;
    if (!res.write(first.value)) await writable(res);
    for (;;) {
      const { done, value } = await next;
      if (done) break;
      if (res.destroyed) return;
      next = reader.read();
      if (!res.write(value)) await writable(res);
    }
    res.end();
  } catch (error) {
    if (!started && !res.headersSent) throw error;
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off("close", cancel);
  }
}
