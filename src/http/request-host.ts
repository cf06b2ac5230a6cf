import type { IncomingMessage } from "node:http";
import { domainToASCII } from "node:url";

// RFC 3986 §3.2.2–3.2.3: uri-host [":" port]. IPv6address is left to the WHATWG parser below.
const UNRESERVED_OR_SUB_DELIM = "A-Za-z0-9\\-._~!$&'()*+,;=";
const REG_NAME = `(?:[${UNRESERVED_OR_SUB_DELIM}]|%[0-9A-Fa-f]{2})+`;
const IP_LITERAL = "\\[[0-9A-Fa-f:.]+\\]";
const HOST_AND_PORT = new RegExp(`^(${IP_LITERAL}|${REG_NAME})(?::([0-9]*))?$`);

/**
 * True when `value` is a Host (or X-Forwarded-Host) field value a URL can be built from:
 * `uri-host [":" port]` (RFC 9112 §3.2, RFC 3986 §3.2.2) that the WHATWG URL parser accepts too
 * (it refuses some names RFC 3986 allows, such as `a%2Fb` or `999.1.1.1`).
 *
 * @example
 * isValidHost("example.com:8080"); // true
 * isValidHost("x/api/admin?"); // false
 */
export function isValidHost(value: string): boolean {
  // A server sees the same few hosts on every request: each is checked once.
  if (validHosts.has(value)) return true;
  const valid = checkHost(value);
  if (valid && validHosts.size < VALID_HOSTS_KEPT) validHosts.add(value);
  return valid;
}

/** Valid hosts already seen (at most VALID_HOSTS_KEPT: a client choosing hosts cannot grow it). */
const validHosts = new Set<string>();
const VALID_HOSTS_KEPT = 64;

function checkHost(value: string): boolean {
  const match = HOST_AND_PORT.exec(value);
  if (!match) return false;
  const port = match[2];
  if (port !== undefined && port !== "" && Number(port) > 65535) return false;
  return domainToASCII(match[1]) !== "";
}

/**
 * The host a request names, checked once: its Host header, or the X-Forwarded-Host a trusted
 * proxy set (Express's `req.host`, which TRUST_PROXY decides). `false` when one of them is not a
 * valid host, or when Host is sent twice (RFC 9112 §3.2: both are answered 400).
 */
export function requestHostIsValid(req: IncomingMessage & { host?: string }): boolean {
  const { host } = req.headers;
  if (host === undefined) return true;
  const raw = req.rawHeaders;
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) if (isHostName(raw[i])) lines += 1;
  if (lines > 1 || !isValidHost(host)) return false;
  // Without X-Forwarded-Host, Express's `req.host` is Host itself: nothing more to check.
  if (req.headers["x-forwarded-host"] === undefined) return true;
  const effective = req.host;
  return effective === undefined || effective === host || isValidHost(effective);
}

/** `name` is "Host" in any case, compared without making a lower-case copy of each header name. */
function isHostName(name: string): boolean {
  return (
    name.length === 4 &&
    (name.charCodeAt(0) | 0x20) === 0x68 &&
    (name.charCodeAt(1) | 0x20) === 0x6f &&
    (name.charCodeAt(2) | 0x20) === 0x73 &&
    (name.charCodeAt(3) | 0x20) === 0x74
  );
}
