import { createHash, timingSafeEqual } from "node:crypto";
import type { Application } from "express";
import { JSON_CONTENT_TYPE } from "../http/json-error";
import type { AuthInfo, Middleware, NextApiRequest, NextApiResponse } from "../types";
import { authBrakeOf } from "./auth-brake";

/**
 * The app setting where createApp keeps what `authenticate` runs for its requests (the app's
 * tokens). An app setting, not a module-level map: a route file may load its own copy of nextpress
 * (the `nextpress` import resolved to another build than the server's), and a mounted app inherits it.
 */
const APP_SETTING = "nextpress authenticate";

/** Marks authentication middleware so the route table and OpenAPI know a route is protected. */
const kAuthenticates = Symbol.for("nextpress.authenticates");

// RFC 6750 §2.1: `Bearer` then one b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^Bearer(?: |$)/i;

const sha256 = (value: string): Buffer => createHash("sha256").update(value).digest();

/** Decides whether a presented token is good: what to put in `req.auth`, or false/undefined to refuse. */
export type VerifyToken = (
  token: string,
  req: NextApiRequest,
) =>
  | AuthInfo
  | Record<string, unknown>
  | boolean
  | null
  | undefined
  | Promise<AuthInfo | Record<string, unknown> | boolean | null | undefined>;

export interface AuthenticateOptions {
  /** Accepted Bearer tokens, compared in constant time. */
  tokens?: readonly string[];
  /** A custom check (a JWT, a database lookup), used when no listed token matched. */
  verify?: VerifyToken;
}

function reject(res: NextApiResponse, status: 400 | 401, challenge: string, message: string): void {
  const body = JSON.stringify({ message });
  res.statusCode = status;
  res.setHeader("WWW-Authenticate", challenge);
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

function markAuthenticates<T extends object>(fn: T): T {
  return Object.assign(fn, { [kAuthenticates]: true });
}

/** True for `authenticate`, and for what createAuthenticate returns. */
export function isAuthenticateMiddleware(fn: unknown): fn is Middleware {
  return typeof fn === "function" && kAuthenticates in fn && fn[kAuthenticates] === true;
}

/** Index of the listed token equal to `token`, comparing every one so the time taken reveals nothing. */
function matchToken(expected: readonly Buffer[], token: string): number {
  const actual = sha256(token);
  let tokenIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    if (timingSafeEqual(expected[i], actual) && tokenIndex === -1) tokenIndex = i;
  }
  return tokenIndex;
}

/**
 * Bearer-token middleware. Listed tokens are compared as SHA-256 digests with timingSafeEqual,
 * all of them every time; `verify` handles other schemes (its throw counts as a refusal). With
 * neither, every request is refused. It answers 401/400 itself (RFC 6750) rather than calling
 * `next(err)`, so a handler calling `authenticate(req, res, () => …)` inline never runs its
 * callback for a refused request.
 *
 * @example
 * const authenticate = createAuthenticate({ tokens: ["s3cret"] });
 * const jwtAuth = createAuthenticate({ verify: async (token) => (await checkJwt(token)) ?? false });
 */
export function createAuthenticate(options: AuthenticateOptions): Middleware {
  const expected = (options.tokens ?? []).map(sha256);
  const { verify } = options;
  const refuse = (req: NextApiRequest, res: NextApiResponse) => {
    // A wrong token counts towards the brake (AUTH_FAILURE_LIMIT).
    authBrakeOf(req)?.recordFailure(req);
    reject(res, 401, 'Bearer realm="api", error="invalid_token"', "Unauthorized");
  };

  function check(
    req: NextApiRequest,
    res: NextApiResponse,
    next: (error?: unknown) => void,
  ): void | Promise<void> {
    const header = req.headers.authorization;
    if (header === undefined || !BEARER_SCHEME.test(header)) {
      return reject(res, 401, 'Bearer realm="api"', "Unauthorized");
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      return reject(
        res,
        400,
        'Bearer realm="api", error="invalid_request"',
        "Malformed Authorization header",
      );
    }
    const tokenIndex = matchToken(expected, token);
    if (tokenIndex !== -1) {
      req.auth = { scheme: "bearer", tokenIndex };
      return next();
    }
    if (!verify) return refuse(req, res);
    return Promise.resolve()
      .then(() => verify(token, req))
      .then(
        (result) => {
          if (!result) return refuse(req, res);
          req.auth = result === true ? { scheme: "bearer" } : { ...result, scheme: "bearer" };
          next();
        },
        (error: unknown) => {
          // Only the error's name: its message could quote the token.
          req.log?.warn(
            { errorName: error instanceof Error ? error.name : undefined },
            "authenticate: verify threw; the request is refused",
          );
          refuse(req, res);
        },
      );
  }

  return markAuthenticates(function authenticate(
    req: NextApiRequest,
    res: NextApiResponse,
    next: (error?: unknown) => void,
  ) {
    // A client braked for its wrong tokens is refused before its token is even looked at.
    if (authBrakeOf(req)?.admit(req, res) === false) return;
    return check(req, res, next);
  });
}

/** Makes `authenticate` use `tokens` for requests served by `app`. */
export function configureAuthenticate(app: Application, tokens: readonly string[]): void {
  app.set(APP_SETTING, createAuthenticate({ tokens }));
}

const refuseAll = createAuthenticate({});

/**
 * Protects a route with the Bearer tokens from API_TOKENS / API_TOKENS_FILE. Use it in a chain
 * (`export const middleware = [authenticate]`, a folder's `_middleware`, `withMiddleware`) or
 * inline, as in the Next.js guide:
 *
 * @example
 * export default function handler(req: NextApiRequest, res: NextApiResponse) {
 *   authenticate(req, res, () => res.json({ secret: 42 }));
 * }
 */
export const authenticate: Middleware = markAuthenticates(function authenticate(req, res, next) {
  const configured: unknown = req.app?.get(APP_SETTING);
  return (isAuthenticateMiddleware(configured) ? configured : refuseAll)(req, res, next);
});
