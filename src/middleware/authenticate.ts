import { createHash, timingSafeEqual } from "node:crypto";
import type { Application } from "express";
import { JSON_CONTENT_TYPE } from "../next/response";
import type { AuthInfo, Middleware, NextApiRequest, NextApiResponse } from "../types";

/** Where createApp keeps the configured `authenticate` for the module-level one to find. */
const APP_SETTING = "nextpress authenticate";

// RFC 6750 §2.1: `Bearer` then one b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

const sha256 = (value: string): Buffer => createHash("sha256").update(value).digest();

function reject(res: NextApiResponse, status: 400 | 401, challenge: string, message: string): void {
  const body = JSON.stringify({ message });
  res.statusCode = status;
  res.setHeader("WWW-Authenticate", challenge);
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * Bearer-token middleware for a fixed token list. Every candidate is compared as a SHA-256
 * digest with timingSafeEqual, all of them every time, so neither the length nor a matching
 * prefix shows in the response time. With no tokens, every request is refused.
 * It answers 401/400 itself rather than calling `next(err)`, so that a handler calling
 * `authenticate(req, res, () => …)` inline never runs its callback for a refused request.
 *
 * @example
 * const authenticate = createAuthenticate(["s3cret"]);
 */
export function createAuthenticate(tokens: readonly string[]): Middleware {
  const expected = tokens.map(sha256);
  return function authenticate(req, res, next) {
    const header = req.headers.authorization;
    if (header === undefined || !BEARER_SCHEME.test(header)) {
      return reject(res, 401, 'Bearer realm="api"', "Unauthorized");
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      return reject(res, 400, 'Bearer realm="api", error="invalid_request"', "Malformed Authorization header");
    }
    const actual = sha256(token);
    let tokenIndex = -1;
    for (let i = 0; i < expected.length; i++) {
      if (timingSafeEqual(expected[i], actual) && tokenIndex === -1) tokenIndex = i;
    }
    if (tokenIndex === -1) return reject(res, 401, 'Bearer realm="api", error="invalid_token"', "Unauthorized");
    req.auth = { scheme: "bearer", tokenIndex } satisfies AuthInfo;
    next();
  };
}

/** Makes `authenticate` use `tokens` for requests served by `app`. */
export function configureAuthenticate(app: Application, tokens: readonly string[]): void {
  app.set(APP_SETTING, createAuthenticate(tokens));
}

const refuseAll = createAuthenticate([]);

/**
 * Protects a route with the Bearer tokens from API_TOKENS. Use it in a chain, or inline as in the
 * Next.js guide:
 *
 * @example
 * export default function handler(req: NextApiRequest, res: NextApiResponse) {
 *   authenticate(req, res, () => res.json({ secret: 42 }));
 * }
 */
export function authenticate(req: NextApiRequest, res: NextApiResponse, next: (error?: unknown) => void): unknown {
  const configured = req.app?.get(APP_SETTING) as Middleware | undefined;
  return (configured ?? refuseAll)(req, res, next);
}
