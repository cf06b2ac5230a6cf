import type { IncomingMessage } from "node:http";
import { Transform, type Readable } from "node:stream";
import { MULTIPART_CAPS, parseMultipart, type FilePart } from "../next/multipart";
import { BodyLimitError, type BodyLimit } from "./request-body";

/** True for a `multipart/form-data` Content-Type (what busboy reads; urlencoded stays undici's). */
export function isMultipart(contentType: string): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(contentType);
}

/** Passes at most `limit` bytes, then fails with a BodyLimitError (without tearing the socket down). */
function limitBytes(limit: BodyLimit): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit.bytes) callback(new BodyLimitError(limit.text));
      else callback(null, chunk);
    },
  });
}

/**
 * The request body through limitBytes; a client that goes away mid-body fails the stream (a pipe
 * alone would leave it waiting), and a limit error leaves the socket for the 413 to reach it.
 */
export function limitedBody(req: IncomingMessage, limit: BodyLimit): Readable {
  const out = Number.isFinite(limit.bytes) ? req.pipe(limitBytes(limit)) : req;
  if (out !== req)
    req.once("close", () => {
      if (!req.complete) out.destroy(new Error("The client went away before the body's end"));
    });
  return out;
}

async function toFile(part: FilePart): Promise<File> {
  const chunks: Buffer[] = [];
  for await (const chunk of part.stream) chunks.push(chunk as Buffer);
  return new File(chunks, part.filename, { type: part.type });
}

/**
 * `request.formData()` for a multipart body, as undici builds it (a File per part with a
 * `filename`, `text/plain` when the part has no type), read with busboy under MULTIPART_CAPS and
 * the route's body limit: a body over a cap is refused (413) as soon as it is seen, a malformed
 * one is a 400, never a crash.
 */
export async function readFormData(
  body: Readable,
  contentType: string,
  limit: BodyLimit,
): Promise<FormData> {
  const bytes = Number.isFinite(limit.bytes) ? limit.bytes : Infinity;
  const limits = { parts: MULTIPART_CAPS.parts, files: MULTIPART_CAPS.parts, fileSize: bytes };
  const entries = await parseMultipart(body, contentType, { ...limits, fieldSize: bytes }, toFile);
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  return form;
}
