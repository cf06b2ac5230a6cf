import type { IncomingMessage, ServerResponse } from "node:http";
import type { Application } from "express";
import type { Store } from "express-rate-limit";
import type { Logger } from "pino";
import { sendJsonError } from "../http/json-error";
import type { Rate } from "../rate";
import { loadRateLimit } from "./counter-stores";

/** Where createApp keeps the brake for every `authenticate` (and createAuthenticate) of its requests. */
const APP_SETTING = "nextpress auth brake";

/**
 * A brake on guessing tokens (AUTH_FAILURE_LIMIT): once a client IP has presented `rate.limit`
 * wrong tokens within the window, every protected route answers it 429 with Retry-After, whatever
 * token it sends, until the window ends.
 */
export interface AuthBrake {
  /** True to go on; false when the client is braked (it has been answered 429). Synchronous: no store round trip. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Counts a wrong token, in the background. */
  recordFailure(req: IncomingMessage): void;
}

type BrakeRequest = IncomingMessage & { ip?: string; app?: Application };

/** The client's address as express-rate-limit keys it (IPv6 by /56). */
const keyOf = (req: BrakeRequest) =>
  loadRateLimit().ipKeyGenerator(req.ip ?? req.socket?.remoteAddress ?? "");

/**
 * Wrong tokens are counted in `store` (Redis: one count for every replica). A replica brakes an IP
 * when a count it made reaches the limit, and remembers that until the window's end, so a request
 * with a valid token costs one Map lookup and no store round trip. Across replicas, each one
 * learns of the brake from its own next wrong token from that IP: at most one more guess per
 * replica per window. A store that is down fails open (counts are lost, nothing is braked).
 */
export function createAuthBrake(rate: Rate, createStore: () => Store, logger: Logger): AuthBrake {
  // Made with the first wrong token: until then the brake has loaded and started nothing.
  let store: Store | undefined;
  const counter = () => {
    if (store) return store;
    store = createStore();
    void store.init?.({ windowMs: rate.windowMs } as Parameters<NonNullable<Store["init"]>>[0]);
    return store;
  };
  const brakedUntil = new Map<string, number>();
  // Braked IPs leave the Map once their window is over, asked about again or not.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, until] of brakedUntil) if (until <= now) brakedUntil.delete(key);
  }, rate.windowMs);
  sweep.unref();

  return {
    admit(req, res) {
      if (brakedUntil.size === 0) return true;
      const until = brakedUntil.get(keyOf(req));
      if (until === undefined) return true;
      const waitMs = until - Date.now();
      if (waitMs <= 0) {
        brakedUntil.delete(keyOf(req));
        return true;
      }
      res.setHeader("Retry-After", String(Math.ceil(waitMs / 1000)));
      sendJsonError(req, res, 429, "Too many failed authentication attempts");
      return false;
    },
    recordFailure(req) {
      const key = keyOf(req);
      Promise.resolve(counter().increment(key)).then(
        ({ totalHits, resetTime }) => {
          if (totalHits < rate.limit) return;
          const until = resetTime?.getTime() ?? Date.now() + rate.windowMs;
          if (!brakedUntil.has(key))
            logger.warn(
              { ip: (req as BrakeRequest).ip, failures: totalHits, untilMs: until - Date.now() },
              "authenticate: too many wrong tokens from this address: braked",
            );
          brakedUntil.set(key, until);
        },
        // The store is down: reported once by its outage reporter; nothing is braked meanwhile.
        () => undefined,
      );
    },
  };
}

/** Makes every authenticate of `app`'s requests use `brake`. */
export function configureAuthBrake(app: Application, brake: AuthBrake): void {
  app.set(APP_SETTING, brake);
}

/** The brake for this request's app, if it has one. */
export function authBrakeOf(req: IncomingMessage): AuthBrake | undefined {
  return (req as BrakeRequest).app?.get(APP_SETTING) as AuthBrake | undefined;
}
