import type { EventEmitter } from "node:events";
import { finished, type Readable } from "node:stream";
import type { BusboyInstance, BusboyConstructor } from "@fastify/busboy";
import { partHeaderParser } from "../internals/busboy";
import { ApiError, isApiError } from "../errors";

/** Caps every multipart body meets, whatever the route: each is far above what a browser form sends. */
export const MULTIPART_CAPS = Object.freeze({
  /** Parts (fields and files) in one body, unless the route sets `parts`. */
  parts: 1000,
  /** Header lines over all of one part's headers. */
  headerPairs: 2000,
  /** Bytes of one part's header block. */
  headerBytes: 16 * 1024,
  /** Bytes of a field name, UTF-8. Names are kept as sent: `a[b][c]` is never expanded. */
  fieldNameBytes: 100,
});

/** What one body may hold: bytes per file and per field value, how many files and parts. */
export interface MultipartLimits {
  readonly parts: number;
  readonly files: number;
  readonly fileSize: number;
  readonly fieldSize: number;
  /** Bytes of all field values together (default: no cap beyond `parts` × `fieldSize`). */
  readonly fieldsSize?: number;
}

/** A file part as it arrives: its stream must be read (or resumed) for the body to go on. */
export interface FilePart {
  readonly field: string;
  /** The `filename` parameter without any directory, as sent (possibly ""). */
  readonly filename: string;
  /** The part's Content-Type, `text/plain` when it has none (as undici's formData()). */
  readonly type: string;
  readonly stream: Readable;
  /** Aborted when the body fails: stop writing the file and remove what was written. */
  readonly signal: AbortSignal;
}

/** Stores one file part; rejects with an ApiError to refuse it. */
export type StoreFile<F> = (part: FilePart) => Promise<F>;

const tooLarge = (what: string) => new ApiError(413, `Multipart body over its limits: ${what}`);
const malformed = (why: string) => new ApiError(400, `Invalid multipart body: ${why}`);

function checkName(name: string | undefined): void {
  if (name === undefined || name === "") throw malformed("a part without a field name");
  if (Buffer.byteLength(name) > MULTIPART_CAPS.fieldNameBytes)
    throw tooLarge(`a field name over ${MULTIPART_CAPS.fieldNameBytes} bytes`);
}

/** A part's header block: its lines (busboy keeps headerPairs + 1 of them, so more is seen). */
function checkHeaderPairs(header: Record<string, string[]>): void {
  let pairs = 0;
  for (const values of Object.values(header)) pairs += values.length;
  if (pairs > MULTIPART_CAPS.headerPairs)
    throw tooLarge(`over ${MULTIPART_CAPS.headerPairs} header lines in a part`);
}

/**
 * Busboy keeps the first headerSize bytes of a part's header block and drops the rest silently;
 * its parser is wrapped to count them instead, and `onOver` runs as soon as a block passes
 * `limit` (before its end). `push` returns how much it used once the block ends, else nothing.
 */
function watchPartHeaders(
  busboy: BusboyInstance,
  onOver: () => void,
  onPart: (header: Record<string, string[]>) => void,
): void {
  const { dicer, parser } = partHeaderParser(busboy);
  let seen = 0;
  const push = parser.push.bind(parser);
  const reset = parser.reset.bind(parser);
  parser.push = (data) => {
    const used = push(data);
    seen += used ?? data.length;
    if (seen > MULTIPART_CAPS.headerBytes) onOver();
    if (used !== undefined) seen = 0;
    return used;
  };
  parser.reset = () => {
    seen = 0;
    reset();
  };
  dicer.on("part", (part: EventEmitter) => part.once("header", onPart));
}

/**
 * Reads a `multipart/form-data` body from `source` with busboy: fields in order as
 * `[name, value]`, each file handed to `store` as a stream. Breaking a cap or a limit rejects with
 * a 413 ApiError as soon as it is seen (the rest of the body is not read); a malformed body with
 * a 400. Either way every file being stored is aborted.
 */
export function parseMultipart<F>(
  source: Readable,
  contentType: string,
  limits: MultipartLimits,
  store: StoreFile<F>,
): Promise<Array<[string, string | F]>> {
  return new Promise((resolve, reject) => {
    let busboy: BusboyInstance;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on the first multipart body
      const Busboy = require("@fastify/busboy") as BusboyConstructor;
      busboy = new Busboy({
        headers: { "content-type": contentType },
        limits: {
          parts: limits.parts,
          files: limits.files,
          fields: Infinity,
          fieldSize: limits.fieldSize,
          fileSize: limits.fileSize,
          headerPairs: MULTIPART_CAPS.headerPairs + 1,
          headerSize: MULTIPART_CAPS.headerBytes + 1,
        },
        isPartAFile: (_name, _type, filename) => filename !== undefined,
      });
    } catch (error) {
      reject(malformed((error as Error).message));
      return;
    }
    const controller = new AbortController();
    const entries: Array<[string, string | F]> = [];
    const pending: Array<Promise<void>> = [];
    let settled = false;
    let fieldBytes = 0;

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(busboy);
      source.pause();
      controller.abort(error);
      void Promise.allSettled(pending).then(() => reject(error));
    };
    const guard =
      <A extends unknown[]>(listener: (...args: A) => void) =>
      (...args: A) => {
        try {
          if (!settled) listener(...args);
        } catch (error) {
          fail(error);
        }
      };

    watchPartHeaders(
      busboy,
      () => fail(tooLarge(`a part's headers over ${MULTIPART_CAPS.headerBytes} bytes`)),
      guard(checkHeaderPairs),
    );
    busboy.on(
      "field",
      guard((name: string, value: string, _nameTruncated: boolean, valueTruncated: boolean) => {
        checkName(name);
        if (valueTruncated) throw tooLarge(`a field over ${limits.fieldSize} bytes`);
        fieldBytes += Buffer.byteLength(value);
        if (fieldBytes > (limits.fieldsSize ?? Infinity))
          throw tooLarge(`fields over ${limits.fieldsSize} bytes together`);
        entries.push([name, value]);
      }),
    );
    busboy.on(
      "file",
      (name: string, stream: Readable, filename: string, _enc: string, type: string) => {
        stream.on("error", () => {});
        if (settled) return void stream.resume();
        try {
          checkName(name);
        } catch (error) {
          stream.resume();
          return fail(error);
        }
        // Once the body fails, busboy writes no more: a store still reading would wait forever.
        controller.signal.addEventListener("abort", () => stream.destroy(), { once: true });
        stream.once("limit", () => fail(tooLarge(`a file over ${limits.fileSize} bytes`)));
        const index = entries.push([name, ""]) - 1;
        const part = { field: name, filename, type, stream, signal: controller.signal };
        pending.push(
          store(part).then((file) => {
            entries[index] = [name, file];
          }, fail),
        );
      },
    );
    busboy.on("partsLimit", () => fail(tooLarge(`over ${limits.parts} parts`)));
    busboy.on("filesLimit", () => fail(tooLarge(`over ${limits.files} files`)));
    busboy.on("error", (error: Error) => fail(malformed(error.message)));
    busboy.on("finish", () => {
      void Promise.all(pending).then(() => {
        if (settled) return;
        settled = true;
        resolve(entries);
      });
    });
    finished(source, (error) => {
      if (error) fail(isApiError(error) ? error : malformed("the body ended before its last part"));
    });
    source.pipe(busboy);
  });
}
