import {
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
  type IncomingMessage,
} from "node:http";
import helmet, { type HelmetOptions } from "helmet";
import { presetHeaders, type PresetHeader } from "../internals/node-http";

/**
 * helmet's defaults, tightened for a JSON API: it serves no documents, so nothing may be loaded
 * by or framed from its responses (`default-src 'none'`, `frame-ancestors 'none'`, DENY).
 */
export const API_HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: "deny" },
};

/** The headers helmet would set, computed once by running it against a recording response. */
export function computeHelmetHeaders(
  options: Readonly<HelmetOptions> = API_HELMET_OPTIONS,
): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: () => undefined,
  };
  let failure: unknown;
  helmet(options)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => (failure = error),
  );
  if (failure) throw failure;
  return [...headers];
}

/**
 * The policy of an HTML answer that sets no Content-Security-Policy of its own (a GraphiQL or
 * playground page a handler sends, as it would from Next, which sets none): its scripts, styles
 * and fetches load as the page says, while it still cannot be framed, re-based or run plugins.
 */
export const DOCUMENT_CSP = "base-uri 'self'; frame-ancestors 'none'; object-src 'none'";

const CSP = "content-security-policy";

/** True when the head about to be written says text/html (set on the response or passed to writeHead). */
function isHtml(res: ServerResponse, args: unknown[]): boolean {
  let type = res.getHeader("content-type");
  const passed = args.find((arg) => typeof arg === "object" && arg !== null && !Array.isArray(arg));
  if (passed) {
    for (const [name, value] of Object.entries(passed))
      if (name.toLowerCase() === "content-type") type = value as string;
  }
  return typeof type === "string" && /^\s*text\/html\b/i.test(type);
}

/**
 * Sets helmet's headers on every response from one precomputed list: the same headers as
 * `app.use(helmet())`, without re-deriving them per request. An HTML answer still carrying this
 * policy's CSP when its head is written gets DOCUMENT_CSP instead; JSON and every other type
 * keep the strict API policy, and a route's own CSP is never touched.
 */
export function createSecurityHeaders(options?: Readonly<HelmetOptions>) {
  const headers = computeHelmetHeaders(options);
  const apiCsp = headers.find(([name]) => name.toLowerCase() === CSP)?.[1];
  // Checked here once, as setHeader would check them on every response.
  const preset = headers.map(([name, value]): PresetHeader => {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return [name.toLowerCase(), name, value];
  });
  function writeHead(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (this.getHeader(CSP) === apiCsp && isHtml(this, args)) this.setHeader(CSP, DOCUMENT_CSP);
    return (ServerResponse.prototype.writeHead as (...a: unknown[]) => ServerResponse).apply(
      this,
      args,
    );
  }
  return function securityHeaders(
    _req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): void {
    presetHeaders(res, preset);
    if (apiCsp !== undefined && res.writeHead === ServerResponse.prototype.writeHead)
      res.writeHead = writeHead as ServerResponse["writeHead"];
    next();
  };
}

/** Every header the default API policy sets: a route's own policy removes those it does not set. */
const API_HEADER_NAMES = computeHelmetHeaders().map(([name]) => name);

/**
 * A route's or a folder's own security headers, in place of the strict API defaults: helmet's
 * defaults with `options` (say, a Content-Security-Policy that lets a GraphiQL or docs page
 * load its scripts), or `false` for none at all. Computed once; as middleware, per route
 * (`export const middleware`) or per folder (`_middleware`), Web routes included.
 *
 * @example
 * export const middleware = [securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", "'unsafe-inline'"] } } })];
 */
export function securityHeaders(options: Readonly<HelmetOptions> | false = {}) {
  const headers = options === false ? [] : computeHelmetHeaders(options);
  const own = new Set(headers.map(([name]) => name.toLowerCase()));
  const removed = API_HEADER_NAMES.filter((name) => !own.has(name.toLowerCase()));
  return function routeSecurityHeaders(
    _req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): void {
    for (const name of removed) res.removeHeader(name);
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
    next();
  };
}
