import type { Logger } from "pino";
import { sendJsonError } from "../http/json-error";
import type { Rate } from "../rate";
import type { Middleware } from "../types";
import { limiterLogger, loadRateLimit, type CounterStores } from "./counter-stores";

/** Every key nextpress writes to a shared store starts with this. */
const KEY_PREFIX = "nextpress:";

/** Which limiter runs before a route, chosen once per route. */
export type RouteLimits = (
  pattern: string,
  own: Rate | false | undefined,
) => Middleware | undefined;

function createLimiter(
  rate: Rate,
  stores: CounterStores,
  prefix: string,
  logger: Logger,
): Middleware {
  return loadRateLimit().rateLimit({
    windowMs: rate.windowMs,
    limit: rate.limit,
    // IETF draft 8 (draft-ietf-httpapi-ratelimit-headers-08): `RateLimit` and `RateLimit-Policy`; no X-RateLimit-*.
    standardHeaders: "draft-8",
    legacyHeaders: false,
    store: stores.create(prefix),
    // The store unreachable (Redis down): the request goes through, unlimited (see counter-stores.ts).
    passOnStoreError: true,
    logger: limiterLogger(logger),
    // Retry-After is already set; the answer has the shape of every other error.
    handler: (req, res) => sendJsonError(req, res, 429, "Too Many Requests"),
  }) as unknown as Middleware;
}

/**
 * The limiters of RATE_LIMIT and of routes' own `rateLimit`, per client IP (`req.ip`, so
 * TRUST_PROXY decides; IPv6 by /56 as express-rate-limit does). Routes without their own share
 * one budget; a route with its own (`"10/1m"`) has its own budget and counter; `false` is none.
 * Each limiter is built once, on the route's first use at the latest; undefined when nothing
 * applies, so an unlimited route runs nothing at all.
 *
 * @example
 * const limits = createRouteLimits(parseRate("100/1m"), createMemoryStores(), logger);
 * limits("/api/login", parseRate("5/1m")); // its own limiter
 */
export function createRouteLimits(
  defaultRate: Rate | undefined,
  stores: CounterStores,
  logger: Logger,
): RouteLimits {
  let shared: Middleware | undefined;
  const own = new Map<string, Middleware>();
  return (pattern, rate) => {
    if (rate === false) return undefined;
    if (rate === undefined) {
      if (!defaultRate) return undefined;
      return (shared ??= createLimiter(defaultRate, stores, `${KEY_PREFIX}rl:`, logger));
    }
    let limiter = own.get(pattern);
    if (!limiter)
      own.set(
        pattern,
        (limiter = createLimiter(rate, stores, `${KEY_PREFIX}rl:${pattern}:`, logger)),
      );
    return limiter;
  };
}
