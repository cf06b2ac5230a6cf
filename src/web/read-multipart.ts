import { createWriteStream, openAsBlob } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ApiError } from "../errors";
import { peekRequestState, type UploadSettings } from "../http/request-state";
import { parseMultipart, type FilePart, type MultipartLimits } from "../next/multipart";
import { toBytes } from "../size";
import { isMultipart, limitedBody } from "./form-data";
import { releaseReadBuffers } from "./upload-memory";

export interface ReadMultipartOptions {
  /** Bytes per file (`"50mb"` or a number): over it, 413. Default: the route's, else BODY_LIMIT. */
  fileSize?: number | string;
  /** Files per body (default 1,000). */
  files?: number;
  /** Parts, fields and files, per body (default 1,000). */
  parts?: number;
  /** Bytes per field value (default: BODY_LIMIT, at most 1 MiB). */
  fieldSize?: number | string;
  /** Stream each file to a temporary folder under DATA_DIR, removed when the response ends. */
  toDisk?: boolean;
}

/** One uploaded file: a web File (backed by the temporary file with `toDisk`). */
export interface UploadedFile {
  readonly field: string;
  readonly file: File;
  /** With `toDisk`: where it is until the response ends (move it away to keep it). */
  readonly path: string | undefined;
}

export interface MultipartBody {
  /** Each field's value (the last one for a repeated name). */
  readonly fields: Record<string, string>;
  readonly files: UploadedFile[];
  /** Every part in order, as FormData holds them. */
  readonly entries: Array<[string, string | UploadedFile]>;
}

const DEFAULT_SETTINGS: UploadSettings = Object.freeze({
  fileSize: 1024 * 1024,
  files: 1000,
  parts: 1000,
  fieldSize: 1024 * 1024,
  otherBytes: 1024 * 1024,
  toDisk: false,
  tmpDir: path.resolve("data", "tmp-uploads"),
});

async function storeInMemory(part: FilePart): Promise<UploadedFile> {
  const chunks: Buffer[] = [];
  for await (const chunk of part.stream) chunks.push(chunk as Buffer);
  const file = new File(chunks, part.filename, { type: part.type });
  return { field: part.field, file, path: undefined };
}

/**
 * What a temporary file's stream may hold while a write is on the thread pool: the socket's read
 * buffers themselves, not copies. At the default 64 KiB each socket read waited for its own write
 * (a thread-pool round trip per 64 KiB, the socket paused meanwhile); with room for more, the reads
 * go on and the waiting chunks leave in one writev. docs/uploads.md "Measured" has the figures.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** Rejects with `signal`'s reason once it aborts. */
function abortedBy(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * Writes each file into a new folder of `tmpDir`, removed with everything in it when `res` closes.
 * A failed body (a file over `fileSize`) is answered without waiting for its files to be closed:
 * the folder's removal waits for them instead.
 */
async function diskStore(tmpDir: string, res: ServerResponse | undefined) {
  await mkdir(tmpDir, { recursive: true });
  const dir = await mkdtemp(path.join(tmpDir, "upload-"));
  const writing: Array<Promise<void>> = [];
  const remove = () =>
    void Promise.allSettled(writing)
      .then(() => rm(dir, { recursive: true, force: true }))
      .catch(() => {});
  if (!res || res.closed) remove();
  else res.once("close", remove);
  let count = 0;
  return async (part: FilePart): Promise<UploadedFile> => {
    const file = path.join(dir, String(count++));
    const out = createWriteStream(file, { highWaterMark: WRITE_BUFFER_BYTES });
    const written = pipeline(part.stream, out, { signal: part.signal });
    writing.push(written);
    await Promise.race([written, abortedBy(part.signal)]);
    await stat(file);
    const blob = await openAsBlob(file, { type: part.type });
    return {
      field: part.field,
      file: new File([blob], part.filename, { type: part.type }),
      path: file,
    };
  };
}

function limitsOf(settings: UploadSettings, options: ReadMultipartOptions): MultipartLimits {
  const fieldSize =
    options.fieldSize === undefined ? settings.fieldSize : toBytes(options.fieldSize);
  return {
    fileSize: options.fileSize === undefined ? settings.fileSize : toBytes(options.fileSize),
    files: options.files ?? settings.files,
    parts: options.parts ?? settings.parts,
    fieldSize,
    // Fields, part headers and boundaries share the route's body limit (one field may fill it).
    fieldsSize: Math.max(settings.otherBytes, fieldSize),
  };
}

/**
 * A body whose Content-Length is more than its files and the rest may hold is refused before a
 * byte of it is read (RFC 9110 §15.5.14), rather than once the limit is crossed.
 */
function checkLength(length: string | null | undefined, limits: MultipartLimits): void {
  if (!length || !/^\d+$/.test(length)) return;
  const most = limits.files * limits.fileSize + (limits.fieldsSize ?? Infinity);
  if (Number(length) > most)
    throw new ApiError(
      413,
      `Multipart body over its limits: Content-Length ${length} is more than ${limits.files} file(s) of ${limits.fileSize} bytes and ${limits.fieldsSize} bytes of fields`,
    );
}

/** The body stream, the response and the route's settings behind a pages or a Web request. */
function sourceOf(request: IncomingMessage | Request) {
  if (request instanceof Request) {
    // Lazily: next-request's NextRequest extends Request, which loads Node's fetch (about 6 MB).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a Web request has loaded it already
    const { nodeMessagesOf } = require("./next-request") as typeof import("./next-request");
    const node = nodeMessagesOf(request);
    if (!node) {
      if (!request.body) throw new ApiError(400, "Invalid multipart body: no body");
      const body = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
      return {
        type: request.headers.get("content-type") ?? "",
        length: request.headers.get("content-length"),
        body,
        res: undefined,
        req: undefined,
      };
    }
    const type = String(node.req.headers["content-type"] ?? "");
    // Not the route's body limit: readMultipart's own limits bound what it reads.
    const body = () => node.take({ bytes: Infinity, text: "unlimited" });
    const length = node.req.headers["content-length"];
    return { type, length, body, res: node.res, req: node.req };
  }
  const req = request as IncomingMessage & { body?: unknown; res?: ServerResponse };
  if (req.body !== undefined || req.readableEnded)
    throw new Error(
      "readMultipart: the body was already read: give the route `config.multipart` (or `config.api.bodyParser = false`)",
    );
  const type = String(req.headers["content-type"] ?? "");
  const length = req.headers["content-length"];
  const body = () => limitedBody(req, { bytes: Infinity, text: "" });
  return { type, length, body, res: req.res, req };
}

/**
 * Reads a `multipart/form-data` body part by part, for pages routes (`req`) and app routes
 * (`request`) alike: files stay in memory or, with `toDisk`, stream to a temporary folder under
 * DATA_DIR that is removed when the response ends, whatever the outcome. Over a limit → 413 at
 * once; a malformed body → 400; not multipart → 415. The route's `config.multipart` (pages) or
 * `export const multipart` (app) sets its defaults.
 *
 * @example
 * const { fields, files } = await readMultipart(request, { fileSize: "50mb", toDisk: true });
 */
export async function readMultipart(
  request: IncomingMessage | Request,
  options: ReadMultipartOptions = {},
): Promise<MultipartBody> {
  const source = sourceOf(request);
  if (!isMultipart(source.type)) throw new ApiError(415, "Expected a multipart/form-data body");
  const settings = peekRequestState(source.req)?.upload ?? DEFAULT_SETTINGS;
  const limits = limitsOf(settings, options);
  checkLength(source.length, limits);
  const toDisk = options.toDisk ?? settings.toDisk;
  const store = toDisk ? await diskStore(settings.tmpDir, source.res) : storeInMemory;
  const body = typeof source.body === "function" ? source.body() : source.body;
  const parsing = parseMultipart(body, source.type, limits, store);
  // parseMultipart has piped the body: counting what flows through it now loses nothing.
  if (toDisk) releaseReadBuffers(body);
  const entries = await parsing;
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of entries) {
    if (typeof value === "string") fields[name] = value;
    else files.push(value);
  }
  return { fields, files, entries };
}
