import type { IncomingMessage } from "node:http";
import { parse as parseCookieHeader } from "cookie";
import { requestState, type Params } from "../http/request-state";
import type { ServerRequest } from "../http/server-request";
import type { NextApiRequest } from "../types";
import { readPreviewData, type PreviewKeys } from "./preview";

/**
 * Gives the request its route params, merged into `req.query` on the next read (a query read
 * earlier, by app-level middleware, is dropped so the params are never lost).
 */
export function setRouteParams(req: IncomingMessage, params: Params | undefined): void {
  const state = requestState(req);
  state.params = params;
  state.query = undefined;
}

/**
 * Next's query: WHATWG parsing of the search string, flat, repeated keys as arrays, then the route
 * params on top (a param wins over a same-named query key). `__proto__` never becomes a key.
 * `arrays`: catch-all params a rewrite wrote into the search string joined by `/`, read back as
 * the arrays they were while the search string still holds them so.
 */
export function buildQuery(
  url: string,
  params: Params | undefined,
  arrays?: Params,
): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  // Next reads the query through `new URL(req.url)`: a raw `#fragment` is not part of it.
  const hashStart = url.indexOf("#");
  const target = hashStart === -1 ? url : url.slice(0, hashStart);
  const queryStart = target.indexOf("?");
  if (queryStart !== -1 && queryStart < target.length - 1) {
    for (const [key, value] of new URLSearchParams(target.slice(queryStart + 1))) {
      if (key === "__proto__") continue;
      const existing = Object.hasOwn(query, key) ? query[key] : undefined;
      if (existing === undefined) query[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else query[key] = [existing, value];
    }
  }
  if (arrays)
    for (const [key, value] of Object.entries(arrays))
      if (Array.isArray(value) && query[key] === value.join("/")) query[key] = value;
  if (params) for (const key of Object.keys(params)) query[key] = params[key];
  return query;
}

/** Cookie values are URI-decoded and unquoted, as the `cookie` 0.x that Next bundles does. */
function decodeCookieValue(value: string): string {
  const unquoted =
    value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  if (!unquoted.includes("%")) return unquoted;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}

// Symbol.for: a second copy of nextpress in the process (a route importing the sources) sees it too.
const kNextApiRequest = Symbol.for("nextpress.nextApiRequest");

/** True for a request of an app that installNextRequest extended (every request createApp's handler runs). */
export function isNextApiRequest(req: ServerRequest): req is NextApiRequest {
  return kNextApiRequest in req;
}

/**
 * Puts Next's `req.query` and `req.cookies` on a request prototype as lazy, cached, assignable
 * properties: a route that never reads them never pays for parsing.
 */
export function installNextRequest(proto: object, previewKeys: PreviewKeys): void {
  // Next's lazy `req.previewData`, `req.preview` and `req.draftMode` (api-resolver.ts), cached on first read.
  const lazy = (name: string, get: (req: NextApiRequest) => unknown) => ({
    configurable: true,
    enumerable: true,
    get(this: NextApiRequest) {
      const value = get(this);
      Object.defineProperty(this, name, {
        value,
        writable: true,
        configurable: true,
        enumerable: true,
      });
      return value;
    },
    set(this: IncomingMessage, value: unknown) {
      Object.defineProperty(this, name, {
        value,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    },
  });
  Object.defineProperties(proto, {
    [kNextApiRequest]: { value: true },
    previewData: lazy("previewData", (req) =>
      req.res ? readPreviewData(req.cookies, req.res, previewKeys) : false,
    ),
    preview: lazy("preview", (req) => (req.previewData !== false ? true : undefined)),
    draftMode: lazy("draftMode", (req) => req.preview),
    query: {
      configurable: true,
      enumerable: true,
      get(this: IncomingMessage) {
        const state = requestState(this);
        return (state.query ??= buildQuery(this.url ?? "", state.params));
      },
      set(this: IncomingMessage, value: Record<string, unknown>) {
        requestState(this).query = value;
      },
    },
    cookies: {
      configurable: true,
      enumerable: true,
      get(this: IncomingMessage) {
        const state = requestState(this);
        const header = this.headers.cookie;
        return (state.cookies ??= header
          ? parseCookieHeader(header, { decode: decodeCookieValue })
          : {});
      },
      set(this: IncomingMessage, value: Record<string, string | undefined>) {
        requestState(this).cookies = value;
      },
    },
  });
}
