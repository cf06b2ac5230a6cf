import { ServerResponse } from "node:http";
import { Stream, type Readable } from "node:stream";
import bytes from "bytes";
import fresh from "fresh";
import { JSON_CONTENT_TYPE } from "../http/json-error";
import { loggedUrl, peekRequestState, type RequestState } from "../http/request-state";
import type { ServerResponse as AppResponse } from "../http/server-request";
import type { NextApiResponse } from "../types";
import { generateETag } from "./etag";
import { clearPreviewData, setDraftMode, setPreviewData, type PreviewKeys } from "./preview";

const REDIRECT_ARGUMENTS_ERROR =
  "Invalid redirect arguments. Please use a single argument URL, e.g. res.redirect('/destination') " +
  "or use a status code and URL, e.g. res.redirect(307, '/destination').";

/** Said once per process: preview cookies signed with a random key do not outlive it. */
let warnedRandomKey = false;

function warnIfRandomKey(res: AppResponse, keys: PreviewKeys): void {
  if (keys.fromSecret || warnedRandomKey) return;
  warnedRandomKey = true;
  res.req.log?.warn(
    "PREVIEW_SECRET is not set: preview and draft mode cookies are signed with a random key, and stop working on restart and across replicas",
  );
}

function countBytes(state: RequestState, chunk: unknown, encoding: unknown): void {
  if (typeof chunk === "string")
    state.responseBytes += Buffer.byteLength(
      chunk,
      typeof encoding === "string" && Buffer.isEncoding(encoding) ? encoding : undefined,
    );
  else if (chunk instanceof Uint8Array) state.responseBytes += chunk.byteLength;
}

/** Any `stream.Stream`: a legacy one has `pipe` but neither `unpipe` nor `destroy`. */
type PipeableStream = Stream & Partial<Pick<Readable, "unpipe" | "destroy">>;

const STREAM_FAILED_BODY = JSON.stringify({ message: "Internal Server Error" });

/**
 * `body.pipe(res)` as Next does, minus its two hazards: a stream `error` with no listener would
 * crash the process, and a client that leaves would keep the source (a file, a socket) open.
 * A failure before the first byte is the usual JSON 500; after it, the connection is cut.
 */
function pipeBody(res: AppResponse, source: PipeableStream): void {
  let failed = false;
  source.on("error", (error: unknown) => {
    if (failed) return;
    failed = true;
    source.unpipe?.(res);
    res.req.log?.error(
      { err: error, route: peekRequestState(res.req)?.route?.file },
      "the stream passed to res.send failed",
    );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = 500;
    res.setHeader("Content-Type", JSON_CONTENT_TYPE);
    res.setHeader("Content-Length", Buffer.byteLength(STREAM_FAILED_BODY));
    res.end(STREAM_FAILED_BODY);
  });
  // The client left while the handler was still working: no "close" is left to come, and a
  // pipe into the closed response would wait for a drain that never comes, holding the source.
  if (res.closed) {
    source.destroy?.();
    return;
  }
  res.once("close", () => {
    if (!res.writableFinished) source.destroy?.();
  });
  source.pipe(res);
}

const nodeWrite = ServerResponse.prototype.write;
const nodeSetHeader = ServerResponse.prototype.setHeader;
const nodeEnd = ServerResponse.prototype.end;

/** Next's sendData: the body's type decides Content-Type, ETag and how it is written. */
function send(this: AppResponse, body: unknown): void {
  if (body === null || body === undefined) {
    this.end();
    return;
  }
  if (this.statusCode === 204 || this.statusCode === 304) {
    this.removeHeader("Content-Type");
    this.removeHeader("Content-Length");
    this.removeHeader("Transfer-Encoding");
    this.end();
    return;
  }
  const contentType = this.getHeader("Content-Type");
  if (body instanceof Stream) {
    if (!contentType) this.setHeader("Content-Type", "application/octet-stream");
    pipeBody(this, body);
    return;
  }
  const isJsonLike =
    typeof body === "object" || typeof body === "number" || typeof body === "boolean";
  if (!isJsonLike && typeof body !== "string") {
    // Next fails on these too (500); String() would send a function's source code to the client.
    throw new TypeError(
      `res.send() cannot send a ${typeof body}: send a string, Buffer, stream or JSON value`,
    );
  }
  const payload = isJsonLike ? JSON.stringify(body) : body;
  const etag = generateETag(payload);
  this.setHeader("ETag", etag);
  if (fresh(this.req.headers, { etag })) {
    this.statusCode = 304;
    this.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    if (!contentType) this.setHeader("Content-Type", "application/octet-stream");
    this.setHeader("Content-Length", body.length);
    this.end(body);
    return;
  }
  if (isJsonLike) this.setHeader("Content-Type", JSON_CONTENT_TYPE);
  this.setHeader("Content-Length", Buffer.byteLength(payload));
  this.end(payload);
}

// Symbol.for: a second copy of nextpress in the process (a route importing the sources) sees it too.
const kNextApiResponse = Symbol.for("nextpress.nextApiResponse");

/** True for a response of an app that installNextResponse extended (every response createApp's handler runs). */
export function isNextApiResponse(res: AppResponse): res is NextApiResponse {
  return kNextApiResponse in res;
}

/**
 * Replaces Express's `status`/`send`/`json`/`redirect` on a response prototype with Next's
 * (different Content-Type, ETag and redirect rules), and counts body bytes for `responseLimit`.
 * Express's other helpers (`set`, `cookie`, `type`, …) stay as they are.
 */
export function installNextResponse(proto: object, previewKeys: PreviewKeys): void {
  Object.defineProperty(proto, kNextApiResponse, { value: true });
  Object.assign(proto, {
    status(this: ServerResponse, statusCode: number) {
      this.statusCode = statusCode;
      return this;
    },
    send,
    json(this: AppResponse, body: unknown) {
      this.setHeader("Content-Type", JSON_CONTENT_TYPE);
      send.call(this, JSON.stringify(body));
    },
    redirect(this: ServerResponse, statusOrUrl: unknown, url?: unknown) {
      if (typeof statusOrUrl === "string") {
        url = statusOrUrl;
        statusOrUrl = 307;
      }
      if (typeof statusOrUrl !== "number" || typeof url !== "string")
        throw new Error(REDIRECT_ARGUMENTS_ERROR);
      this.writeHead(statusOrUrl, { Location: url });
      this.write(url);
      this.end();
      return this;
    },
    revalidate(urlPath: string) {
      return Promise.reject(
        new Error(
          `Failed to revalidate ${urlPath}: res.revalidate() is not supported by a standalone server (there are no pages to revalidate)`,
        ),
      );
    },
    setDraftMode(this: AppResponse, options: { enable?: boolean } = { enable: true }) {
      warnIfRandomKey(this, previewKeys);
      setDraftMode(this, previewKeys, options);
      return this;
    },
    setPreviewData(
      this: AppResponse,
      data: object | string,
      options: { maxAge?: number; path?: string } = {},
    ) {
      warnIfRandomKey(this, previewKeys);
      setPreviewData(this, previewKeys, data, options);
      return this;
    },
    clearPreviewData(this: AppResponse, options: { path?: string } = {}) {
      clearPreviewData(this, previewKeys, options);
      return this;
    },
    // Next's patchSetHeaderWithCookieSupport: Set-Cookie is always kept as an array (read back
    // with getHeader, appended to by Next's examples), and a header set after the response
    // started is ignored rather than thrown.
    setHeader(this: ServerResponse, name: string, value: number | string | readonly string[]) {
      if (this.headersSent) return this;
      if (name.length === 10 && name.toLowerCase() === "set-cookie") {
        value = [...new Set([value].flat().map(String))];
      }
      return nodeSetHeader.call(this, name, value);
    },
    write(this: AppResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
      const state = peekRequestState(this.req);
      if (state?.responseLimit) countBytes(state, chunk, encoding);
      return nodeWrite.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    },
    end(this: AppResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      // A second res.json()/send()/end(body): Node would emit an 'error' nobody listens to; the
      // handler hears it instead, and the error handler logs it (the client keeps the first answer).
      if (this.writableEnded && chunk != null && typeof chunk !== "function") {
        throw new Error(
          "Cannot write the response: it was already sent (res.json, res.send or res.end called twice)",
        );
      }
      const state = peekRequestState(this.req);
      const limit = state?.responseLimit;
      if (state && limit) {
        if (typeof chunk !== "function") countBytes(state, chunk, encoding);
        if (state.responseBytes >= limit) {
          state.responseLimit = false;
          this.req.log?.warn(
            `API response for ${loggedUrl(this.req)} exceeds ${bytes.format(limit)}. ` +
              "API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit",
          );
        }
      }
      return nodeEnd.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    },
  });
}
