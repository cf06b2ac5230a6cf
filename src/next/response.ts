import { ServerResponse, type IncomingMessage } from "node:http";
import { Stream } from "node:stream";
import bytes from "bytes";
import fresh from "fresh";
import type { Logger } from "pino";
import { generateETag } from "./etag";

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** The route's `responseLimit` in bytes, set by the dispatcher; counting stops when unset. */
export const kResponseLimit = Symbol("nextpress.responseLimit");
const kResponseBytes = Symbol("nextpress.responseBytes");

interface NextResponseState extends ServerResponse {
  req: IncomingMessage & { log?: Logger; originalUrl?: string };
  [kResponseLimit]?: number | false;
  [kResponseBytes]?: number;
}

const REDIRECT_ARGUMENTS_ERROR =
  "Invalid redirect arguments. Please use a single argument URL, e.g. res.redirect('/destination') " +
  "or use a status code and URL, e.g. res.redirect(307, '/destination').";

function unsupported(name: string): () => never {
  return () => {
    throw new Error(`res.${name}() is not supported by nextpress: preview and draft mode need Next's pages`);
  };
}

function countBytes(res: NextResponseState, chunk: unknown, encoding: unknown): void {
  if (typeof chunk === "string") {
    res[kResponseBytes] = (res[kResponseBytes] ?? 0) + Buffer.byteLength(chunk, encoding as BufferEncoding);
  } else if (chunk instanceof Uint8Array) {
    res[kResponseBytes] = (res[kResponseBytes] ?? 0) + chunk.byteLength;
  }
}

const nodeWrite = ServerResponse.prototype.write;
const nodeEnd = ServerResponse.prototype.end;

/** Next's sendData: the body's type decides Content-Type, ETag and how it is written. */
function send(this: NextResponseState, body: unknown): void {
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
    (body as unknown as NodeJS.ReadableStream).pipe(this);
    return;
  }
  const isJsonLike = typeof body === "object" || typeof body === "number" || typeof body === "boolean";
  const payload = isJsonLike ? JSON.stringify(body) : String(body);
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

/**
 * Replaces Express's `status`/`send`/`json`/`redirect` on a response prototype with Next's
 * (different Content-Type, ETag and redirect rules), and counts body bytes for `responseLimit`.
 * Express's other helpers (`set`, `cookie`, `type`, …) stay as they are.
 */
export function installNextResponse(proto: object): void {
  Object.assign(proto, {
    status(this: ServerResponse, statusCode: number) {
      this.statusCode = statusCode;
      return this;
    },
    send,
    json(this: NextResponseState, body: unknown) {
      this.setHeader("Content-Type", JSON_CONTENT_TYPE);
      send.call(this, JSON.stringify(body));
    },
    redirect(this: ServerResponse, statusOrUrl: unknown, url?: unknown) {
      if (typeof statusOrUrl === "string") {
        url = statusOrUrl;
        statusOrUrl = 307;
      }
      if (typeof statusOrUrl !== "number" || typeof url !== "string") throw new Error(REDIRECT_ARGUMENTS_ERROR);
      this.writeHead(statusOrUrl, { Location: url });
      this.write(url);
      this.end();
      return this;
    },
    revalidate(urlPath: string) {
      return Promise.reject(
        new Error(`Failed to revalidate ${urlPath}: res.revalidate() is not supported by a standalone server (there are no pages to revalidate)`),
      );
    },
    setDraftMode: unsupported("setDraftMode"),
    setPreviewData: unsupported("setPreviewData"),
    clearPreviewData: unsupported("clearPreviewData"),
    write(this: NextResponseState, chunk: unknown, encoding?: unknown, callback?: unknown) {
      if (this[kResponseLimit]) countBytes(this, chunk, encoding);
      return nodeWrite.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    },
    end(this: NextResponseState, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      const limit = this[kResponseLimit];
      if (limit) {
        if (typeof chunk !== "function") countBytes(this, chunk, encoding);
        if ((this[kResponseBytes] ?? 0) >= limit) {
          this[kResponseLimit] = false;
          this.req.log?.warn(
            `API response for ${this.req.originalUrl ?? this.req.url} exceeds ${bytes.format(limit)}. ` +
              "API Routes are meant to respond quickly. https://nextjs.org/docs/messages/api-routes-response-size-limit",
          );
        }
      }
      return nodeEnd.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    },
  });
}
