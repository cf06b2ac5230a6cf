import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import getRawBody from "raw-body";
import { ApiError } from "../errors";

/** A body over the route's limit, read through a Web request: 413 unless the handler catches it. */
export class BodyLimitError extends ApiError {
  constructor(limitText: string) {
    super(413, `Body exceeded ${limitText} limit`);
    this.name = "BodyLimitError";
  }
}

export interface BodyLimit {
  /** Bytes; Infinity for none. */
  readonly bytes: number;
  readonly text: string;
}

/** The whole body of a Node request, at most `limit` bytes (a declared length over it fails at once). */
export async function readNodeBody(req: IncomingMessage, limit: BodyLimit): Promise<Buffer> {
  try {
    return await getRawBody(req, { limit: Number.isFinite(limit.bytes) ? limit.bytes : undefined });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large")
      throw new BodyLimitError(limit.text);
    throw error;
  }
}

/**
 * The Node request as a Web ReadableStream that errors with a BodyLimitError past `limit`
 * (`request.body` of a Web route: read it chunk by chunk, with backpressure).
 */
export function nodeBodyStream(req: IncomingMessage, limit: BodyLimit): ReadableStream<Uint8Array> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit.bytes) {
    return new ReadableStream({
      start: (controller) => controller.error(new BodyLimitError(limit.text)),
    });
  }
  const source = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
  if (!Number.isFinite(limit.bytes)) return source;
  let seen = 0;
  return source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit.bytes) {
          req.destroy();
          controller.error(new BodyLimitError(limit.text));
        } else controller.enqueue(chunk);
      },
    }),
  );
}

/** A Web stream read to its end, at most `limit` bytes. */
export async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: BodyLimit,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let seen = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.byteLength;
    if (seen > limit.bytes) {
      await reader.cancel();
      throw new BodyLimitError(limit.text);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
