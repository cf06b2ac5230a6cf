import type { IncomingMessage } from "node:http";
import querystring from "node:querystring";
import contentType from "content-type";
import getRawBody from "raw-body";
import { ApiError } from "../errors";

const TEXT_PLAIN = { type: "text/plain", parameters: {} as Record<string, string> };

function readContentType(header: string | undefined): { type: string; parameters: Record<string, string> } {
  if (!header) return TEXT_PLAIN;
  try {
    return contentType.parse(header);
  } catch {
    // Next falls back to text/plain for a malformed header (e.g. "application/json;").
    return TEXT_PLAIN;
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "Invalid JSON");
  }
}

function decode(type: string, text: string): unknown {
  if (type === "application/json" || type === "application/ld+json") return parseJson(text);
  if (type === "application/x-www-form-urlencoded") return querystring.decode(text);
  return text;
}

const NO_BODY = Symbol("nextpress.noBody");

/**
 * What parseBody would return for a request whose framing says it has no body (no
 * Content-Length or `0`, no Transfer-Encoding) in the default charset, without reading the
 * stream: `{}` for JSON and urlencoded, `""` otherwise. NO_BODY when the stream must be read.
 */
export function readEmptyBody(req: IncomingMessage): unknown {
  const length = req.headers["content-length"];
  if ((length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined) return NO_BODY;
  const { type, parameters } = readContentType(req.headers["content-type"]);
  const charset = parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") return NO_BODY;
  return decode(type, "");
}

export function isNoBody(value: unknown): value is typeof NO_BODY {
  return value === NO_BODY;
}

/**
 * Reads and parses a request body exactly as Next's `parseBody`: JSON and urlencoded by type,
 * every other type as a string in the declared charset; 413 `Body exceeded <limit> limit` past
 * `limit` bytes of raw body, 400 `Invalid body` for any other read error.
 */
export async function parseBody(req: IncomingMessage, limit: number, limitText: string): Promise<unknown> {
  const { type, parameters } = readContentType(req.headers["content-type"]);
  const encoding = parameters.charset || "utf-8";
  const declared = req.headers["content-length"];
  let text: string;
  try {
    text = await getRawBody(req, { encoding, limit, length: declared === undefined ? undefined : Number(declared) });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large") {
      throw new ApiError(413, `Body exceeded ${limitText} limit`);
    }
    throw new ApiError(400, "Invalid body");
  }
  return decode(type, text);
}
