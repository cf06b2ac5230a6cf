/**
 * Query keys whose values never reach a log line (LOG_REDACT_QUERY's default): OAuth 2.0 tokens
 * and codes (RFC 6749 §4.1.2, RFC 6750 §2.3), API keys as Google and others take them (`key`,
 * `api_key`), passwords, and signed-URL signatures and credentials (S3, GCS; the list
 * OpenTelemetry's `url.query` convention scrubs). Compared without regard to case.
 */
export const DEFAULT_REDACTED_QUERY_KEYS: readonly string[] = Object.freeze([
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "code",
  "client_secret",
  "secret",
  "password",
  "passwd",
  "pwd",
  "api_key",
  "apikey",
  "key",
  "auth",
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "x-goog-signature",
  "x-goog-credential",
  "awsaccesskeyid",
]);

const REDACTED = "[redacted]";

/** Turns a request target (path and query) into the one to log. */
export type UrlRedactor = (url: string) => string;

function decodedKey(raw: string): string {
  const spaced = raw.replaceAll("+", " ");
  try {
    return decodeURIComponent(spaced).toLowerCase();
  } catch {
    return spaced.toLowerCase();
  }
}

/**
 * Replaces the value of every query parameter named in `keys` with `[redacted]`, the rest of the
 * URL kept as sent. Names are compared decoded (`acc%65ss_token` is `access_token`, as the route's
 * query parser reads it), without regard to case.
 *
 * @example
 * createUrlRedactor(["token"])("/api/x?token=s3cret&a=1"); // "/api/x?token=[redacted]&a=1"
 */
export function createUrlRedactor(keys: readonly string[]): UrlRedactor {
  const names = new Set(keys.map((key) => key.toLowerCase()));
  if (names.size === 0) return (url) => url;
  return function redactUrl(url) {
    const queryAt = url.indexOf("?");
    if (queryAt === -1) return url;
    let changed = false;
    const parts = url
      .slice(queryAt + 1)
      .split("&")
      .map((part) => {
        const equals = part.indexOf("=");
        if (equals === -1 || !names.has(decodedKey(part.slice(0, equals)))) return part;
        changed = true;
        return `${part.slice(0, equals)}=${REDACTED}`;
      });
    return changed ? `${url.slice(0, queryAt + 1)}${parts.join("&")}` : url;
  };
}
