import type { IncomingMessage } from "node:http";
import { requestHostIsValid } from "./request-host";

/**
 * Headers a request may carry. Node keeps only the first `maxHeadersCount` and silently drops the
 * rest (1,000 by default), so a request with more is refused (431) rather than half-read.
 */
export const MAX_HEADERS_COUNT = 1000;

export interface Refusal {
  status: number;
  message: string;
}

const TOO_MANY_HEADERS: Refusal = { status: 431, message: "Request Header Fields Too Large" };
const MISSING_HOST: Refusal = { status: 400, message: "Missing Host header" };
const INVALID_HOST: Refusal = { status: 400, message: "Invalid Host header" };
const UNSUPPORTED_TRANSFER_ENCODING: Refusal = {
  status: 501,
  message: "Unsupported Transfer-Encoding",
};

/**
 * What Node's parser lets through but no handler should see: more headers than it kept, an
 * HTTP/1.1 request without Host (RFC 9112 §3.2, which Node would answer with an empty 400), and
 * a Host (or trusted X-Forwarded-Host) that is not `uri-host [":" port]` or is sent twice (§3.2:
 * `x/api/admin?` would change the URL a handler sees), and a transfer coding other than `chunked`
 * (Node undoes only `chunked`: `gzip, chunked` would reach the body parser still gzipped; RFC 9112
 * §6.1 says 501).
 */
export function checkRequestFraming(req: IncomingMessage): Refusal | undefined {
  if (req.rawHeaders.length > MAX_HEADERS_COUNT * 2) return TOO_MANY_HEADERS;
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1)
    return MISSING_HOST;
  if (!requestHostIsValid(req)) return INVALID_HOST;
  const coding = req.headers["transfer-encoding"];
  if (coding !== undefined && coding.trim().toLowerCase() !== "chunked")
    return UNSUPPORTED_TRANSFER_ENCODING;
  return undefined;
}
