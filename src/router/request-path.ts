/** Where a request target stands relative to the API prefix. */
export type PathResult =
  | { kind: "outside" }
  | { kind: "redirect"; location: string }
  | { kind: "inside"; pathname: string };

const NEEDS_CLEANING = /\/\/|\\|.\/$/;

function isUnder(pathname: string, prefix: string): boolean {
  return (
    pathname.startsWith(prefix) &&
    (pathname.length === prefix.length || pathname[prefix.length] === "/")
  );
}

/**
 * Reads `url` (path and query, as on `req.url`) against `prefix` as Next's router does: repeated
 * slashes, backslashes and a trailing slash get a 308 to the clean path, query kept.
 */
export function normalizeRequestPath(url: string, prefix: string): PathResult {
  // The path ends at the query or, from a client that sent one, a raw fragment.
  const queryStart = url.search(/[?#]/);
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  if (NEEDS_CLEANING.test(pathname)) {
    const clean = pathname
      .replace(/\\/g, "/")
      .replace(/\/{2,}/g, "/")
      .replace(/(.)\/$/, "$1");
    if (!isUnder(clean, prefix)) return { kind: "outside" };
    return {
      kind: "redirect",
      location: queryStart === -1 ? clean : clean + url.slice(queryStart),
    };
  }
  return isUnder(pathname, prefix) ? { kind: "inside", pathname } : { kind: "outside" };
}

/**
 * The segments after `prefix`, each percent-decoded on its own so that `%2F` stays inside its
 * segment (Next's catch-all rule). `undefined` for malformed encoding, and for literal `.`/`..`
 * segments, which a client should have resolved: both are a 400.
 */
export function decodeSegments(pathname: string, prefix: string): string[] | undefined {
  if (pathname.length === prefix.length || (prefix === "" && pathname === "/")) return [];
  const segments = pathname.slice(prefix.length + 1).split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === "." || segment === "..") return undefined;
    if (segment.includes("%")) {
      try {
        segments[i] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    }
  }
  return segments;
}
