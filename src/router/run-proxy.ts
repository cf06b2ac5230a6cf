import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { trackBackground } from "../http/background";
import { sendJsonError } from "../http/json-error";
import { requestState } from "../http/request-state";
import type { ServerRequest } from "../http/server-request";
import { replaceReadableBody } from "../internals/node-stream";
import type { ProxyFile, ProxyMatcher } from "../loader/proxy-file";
import { matchConditions } from "../loader/request-match";
import { BodyLimitError } from "../web/request-body";
import { normalizeRequestPath } from "./request-path";

// Next's proxy.ts / middleware.ts, run as `next start` runs it (server/web/adapter.ts and
// server/lib/router-utils/resolve-routes.ts): the matcher, then the function with a NextRequest
// and a NextFetchEvent, then what its answer means (continue, rewrite, or the answer itself).

type ProxyRequest = ServerRequest;
type Next = (error?: unknown) => void;

const OVERRIDE = "x-middleware-override-headers";
const REQUEST_PREFIX = "x-middleware-request-";
const NEXT = "x-middleware-next";
const REWRITE = "x-middleware-rewrite";
/** Next's internal headers: they steer the router and never reach the client. */
const INTERNAL = /^x-middleware-(override-headers|request-|next$|rewrite$|set-cookie$|redirect$)/;
/** What the proxy may read of a body (Next's `proxyClientMaxBodySize` default). */
const PROXY_BODY_LIMIT = { bytes: 10 * 1024 * 1024, text: "10mb" };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones fetch sets itself, left out of an external rewrite. */
const NOT_FORWARDED = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "upgrade",
  "proxy-connection",
  "content-length",
  "expect",
]);

/** The matcher test: any entry whose regexp takes the raw or decoded path and whose conditions hold. */
function selects(matchers: readonly ProxyMatcher[], req: ProxyRequest, url: string): boolean {
  const queryStart = url.indexOf("?");
  const pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  let decoded: string | undefined;
  for (const matcher of matchers) {
    if (!matcher.regexp.test(pathname)) {
      // Without a `%` the decoded path is the raw one: no second test.
      if (!pathname.includes("%")) continue;
      decoded ??= safeDecode(pathname);
      if (decoded === pathname || !matcher.regexp.test(decoded)) continue;
    }
    if (!matcher.has && !matcher.missing) return true;
    const query = new URLSearchParams(queryStart === -1 ? "" : url.slice(queryStart + 1));
    if (matchConditions({ headers: req.headers, query }, matcher.has, matcher.missing)) return true;
  }
  return false;
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** `NextResponse.next({ request: { headers } })`: the route sees exactly that header list. */
function overrideRequestHeaders(req: ProxyRequest, from: Headers): void {
  const names = from.get(OVERRIDE);
  if (names === null) return;
  const headers: Record<string, string> = {};
  const raw: string[] = [];
  for (const name of names.split(",")) {
    const key = name.trim().toLowerCase();
    const value = from.get(REQUEST_PREFIX + key);
    if (!key || value === null) continue;
    headers[key] = value;
    raw.push(key, value);
  }
  req.headers = headers;
  req.rawHeaders = raw;
}

/** The proxy's own response headers, its Set-Cookie included, onto the route's answer. */
function copyResponseHeaders(res: ServerResponse, from: Headers): void {
  for (const [name, value] of from) {
    if (INTERNAL.test(name)) continue;
    if (name === "set-cookie") res.appendHeader(name, value);
    else res.setHeader(name, value);
  }
}

/** The answer without Next's internal headers; a same-origin redirect made relative, its body the Location (Next). */
function toClientResponse(response: Response, origin: URL): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers)
    if (!INTERNAL.test(name)) headers.append(name, value);
  const location = headers.get("location");
  if (!location || !REDIRECTS.has(response.status))
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  const target = new URL(location, origin);
  const relative =
    target.host === origin.host ? target.pathname + target.search + target.hash : target.href;
  headers.set("location", relative);
  if (response.status === 308) headers.set("refresh", `0;url=${relative}`);
  return new Response(response.body ?? relative, { status: response.status, headers });
}

function hasPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** The routed URL with the basePath in front again: `/` becomes `/base`, as Next formats it. */
function withBasePath(basePath: string, url: string): string {
  if (!basePath) return url;
  return url === "/" || url.startsWith("/?") ? basePath + url.slice(1) : basePath + url;
}

/**
 * X-Forwarded-For, -Port and -Proto appended to what the request brought, X-Forwarded-Host kept
 * or set from Host: Next proxies with http-proxy's `xfwd` (server/lib/router-utils/proxy-request.ts).
 */
function addForwardedHeaders(req: IncomingMessage, headers: Headers): void {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const host = req.headers.host ?? "";
  if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  const values = {
    port: /:(\d+)/.exec(host)?.[1] ?? (encrypted ? "443" : "80"),
    proto: encrypted ? "https" : "http",
    for: req.socket.remoteAddress ?? "",
  };
  for (const [name, value] of Object.entries(values)) {
    const key = `x-forwarded-${name}`;
    const before = headers.get(key);
    headers.set(key, before ? `${before},${value}` : value);
  }
}

/**
 * The Web classes, loaded with the first proxy file or external rewrite: they bring Node's fetch
 * (undici), about 7 MB and 0.2 s at start-up that a server without either never needs.
 */
function loadWeb() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require("../web/fetch-event") as typeof import("../web/fetch-event")),
    ...(require("../web/next-request") as typeof import("../web/next-request")),
    ...(require("../web/write-response") as typeof import("../web/write-response")),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** An external rewrite: the request sent on with its body streamed, the answer streamed back. */
export async function proxyExternally(
  req: ProxyRequest,
  res: ServerResponse,
  target: URL,
  extra: Headers,
): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  addForwardedHeaders(req, headers);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const upstream = await fetch(target, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    redirect: "manual",
    duplex: "half",
  } as RequestInit);
  const answer = new Headers(upstream.headers);
  // fetch has decoded the body: its length and encoding no longer describe what is sent.
  answer.delete("content-encoding");
  answer.delete("content-length");
  copyResponseHeaders(res, extra);
  await loadWeb().writeWebResponse(
    new Response(upstream.body, { status: upstream.status, headers: answer }),
    res,
    {
      head: req.method === "HEAD",
    },
  );
}

/**
 * The step that runs the project's proxy file for the paths its matcher selects, before
 * everything else that routes (folders' `_middleware`, authenticate, the route, the 404). Its
 * answer: nothing or `NextResponse.next()` continue (with its request headers and response
 * headers applied); `NextResponse.rewrite()` continues with another path, or proxies another
 * origin; any other Response is the answer. A throw is a 500, logged with the file.
 */
export function createProxyStep(proxy: ProxyFile, projectDir: string, basePath = "") {
  const { matchers, run } = proxy;
  const { NextFetchEvent, NextRequest, keptBody, writeWebResponse } = loadWeb();
  const label = path.relative(projectDir, proxy.file);
  const page = `/${path.basename(proxy.file).replace(/\.[^.]+$/, "")}`;

  async function runProxy(req: ProxyRequest, res: ServerResponse, next: Next): Promise<void> {
    // The URL the client asked for (with next.config's basePath and trailing slash), on the
    // client's origin; `nextUrl` shows the path without the basePath, and the basePath, as Next.
    const request = NextRequest.fromNode(req, res, {
      keepBody: true,
      limit: PROXY_BODY_LIMIT,
      url: `${req.protocol ?? "http"}://${req.host ?? req.headers.host ?? "localhost"}${req.originalUrl ?? withBasePath(basePath, req.url ?? "/")}`,
      basePath,
    });
    const event = new NextFetchEvent({ page });
    let result: unknown;
    try {
      result = await run(request, event);
      if (result !== undefined && result !== null && !(result instanceof Response))
        throw new TypeError(`Expected an instance of Response to be returned from ${label}`);
    } catch (error) {
      req.log?.error({ err: error, file: proxy.file }, `${label} threw: answering 500`);
      return sendJsonError(req, res, 500, "Internal Server Error");
    } finally {
      for (const promise of event.waitUntilPromises)
        trackBackground(
          promise.catch((error: unknown) =>
            req.log?.error({ err: error, file: proxy.file }, `${label}: waitUntil work failed`),
          ),
        );
    }
    const kept = keptBody(request);
    if (kept) {
      try {
        replaceReadableBody(req, await kept);
      } catch (error) {
        if (error instanceof BodyLimitError)
          return sendJsonError(req, res, 413, `Body exceeded ${PROXY_BODY_LIMIT.text} limit`);
        throw error;
      }
    }
    if (!(result instanceof Response)) return next();
    const headers = result.headers;
    const rewrite = headers.get(REWRITE);
    if (rewrite === null && headers.get(NEXT) === null) {
      const origin = new URL(request.url);
      return writeWebResponse(toClientResponse(result, origin), res, {
        head: req.method === "HEAD",
      });
    }
    overrideRequestHeaders(req, headers);
    if (rewrite !== null) {
      const origin = new URL(request.url);
      const target = new URL(rewrite, origin);
      if (target.host !== origin.host || target.protocol !== origin.protocol)
        return proxyExternally(req, res, target, headers);
      if (basePath && hasPrefix(target.pathname, basePath))
        target.pathname = target.pathname.slice(basePath.length) || "/";
      // The destination's query alone, as a pages route sees it in Next 16.5 (next-observed.json);
      // its req.url stays the client's (Next routes by invokePath and leaves req.url alone).
      requestState(req).clientUrl ??= req.url;
      req.url = target.pathname + target.search;
    }
    copyResponseHeaders(res, headers);
    next();
  }

  return function proxyStep(req: ProxyRequest, res: ServerResponse, next: Next): void {
    const url = req.url ?? "/";
    // The matcher first: a path it does not select costs one test.
    if (matchers && !selects(matchers, req, url)) return next();
    // Next normalises slashes (a 308) before the proxy runs: the dispatcher answers that.
    if (normalizeRequestPath(url, "").kind === "redirect") return next();
    runProxy(req, res, next).catch(next);
  };
}
