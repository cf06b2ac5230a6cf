import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import querystring from "node:querystring";
import contentType from "content-type";
import getRawBody from "raw-body";
import { ApiError } from "../errors";

const TEXT_PLAIN = { type: "text/plain", parameters: {} as Record<string, string> };

function readContentType(header: string | undefined): {
  type: string;
  parameters: Record<string, string>;
} {
  if (!header) return TEXT_PLAIN;
  try {
    return contentType.parse(header);
  } catch {
    // Next falls back to text/plain for a malformed header (e.g. "application/json;").
    return TEXT_PLAIN;
  }
}

/** Deeper JSON parses fine but overflows the stack of whatever walks it next (JSON.stringify, a deep clone). */
const MAX_JSON_DEPTH = 1000;

/** True when brackets outside strings nest deeper than `max`; a text shorter than 2·max cannot. */
function isNestedDeeperThan(text: string, max: number): boolean {
  if (text.length <= max * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  if (isNestedDeeperThan(text, MAX_JSON_DEPTH))
    throw new ApiError(400, `Invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "Invalid JSON");
  }
}

const isJsonType = (type: string) => type === "application/json" || type === "application/ld+json";

function decode(type: string, text: string): unknown {
  if (isJsonType(type)) return parseJson(text);
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
  if ((length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined)
    return NO_BODY;
  const { type, parameters } = readContentType(req.headers["content-type"]);
  const charset = parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") return NO_BODY;
  return decode(type, "");
}

export function isNoBody(value: unknown): value is typeof NO_BODY {
  return value === NO_BODY;
}

/** nextpress decompresses nothing: a coded body would reach the handler as bytes it cannot read. */
function refuseContentEncoding(header: string | undefined): void {
  if (header === undefined) return;
  for (const coding of header.split(",")) {
    const name = coding.trim().toLowerCase();
    if (name !== "" && name !== "identity") throw new ApiError(415, "Unsupported Content-Encoding");
  }
}

/** UTF-8 as iconv-lite decodes it for raw-body (a leading BOM dropped); for JSON, invalid bytes are an error. */
function decodeUtf8(body: Buffer, strict: boolean): string {
  if (strict && !isUtf8(body)) throw new ApiError(400, "Invalid JSON");
  const text = body.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads and parses a request body as Next's `parseBody`: JSON and urlencoded by type, every
 * other type as a string in the declared charset; 413 `Body exceeded <limit> limit` past `limit`
 * bytes of raw body, 400 `Invalid body` for any other read error. Stricter than Next: a
 * Content-Encoding other than identity is 415 before a byte is read, and JSON that is not valid
 * UTF-8 or nests deeper than MAX_JSON_DEPTH is 400.
 */
export async function parseBody(
  req: IncomingMessage,
  limit: number,
  limitText: string,
): Promise<unknown> {
  refuseContentEncoding(req.headers["content-encoding"]);
  const { type, parameters } = readContentType(req.headers["content-type"]);
  const charset = parameters.charset?.toLowerCase() || "utf-8";
  const utf8 = charset === "utf-8" || charset === "utf8";
  const declared = req.headers["content-length"];
  let body: string | Buffer;
  try {
    const options = { limit, length: declared === undefined ? undefined : Number(declared) };
    body = utf8
      ? await getRawBody(req, options)
      : await getRawBody(req, { ...options, encoding: charset });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large") {
      throw new ApiError(413, `Body exceeded ${limitText} limit`);
    }
    throw new ApiError(400, "Invalid body");
  }
  return decode(type, typeof body === "string" ? body : decodeUtf8(body, isJsonType(type)));
}

/**
 * What parseBody makes of a body already read (a Web route's, validated before its handler
 * reads it again): JSON and urlencoded by type, other types as a string in the declared charset.
 */
export function decodeBodyBuffer(body: Buffer, contentTypeHeader: string | undefined): unknown {
  const { type, parameters } = readContentType(contentTypeHeader);
  const charset = parameters.charset?.toLowerCase() || "utf-8";
  if (charset === "utf-8" || charset === "utf8")
    return decode(type, decodeUtf8(body, isJsonType(type)));
  let text: string;
  try {
    text = new TextDecoder(charset).decode(body);
  } catch {
    throw new ApiError(400, "Invalid body");
  }
  return decode(type, text);
}
