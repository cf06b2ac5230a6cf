import type { ServerResponse } from "node:http";
import type { Application } from "express";
import type { Store } from "express-rate-limit";
import type { Logger } from "pino";
import { sendJsonError } from "../http/json-error";
import type { ServerRequest } from "../http/server-request";
import type { Rate } from "../rate";
import { loadRateLimit } from "./counter-stores";

/**
 * The app setting where createApp keeps the brake for every `authenticate` (and createAuthenticate)
 * of its requests. An app setting, not a module-level map: a route file may load its own copy of
 * nextpress (the `nextpress` import resolved to another build), and a mounted app inherits it.
 */
const APP_SETTING = "nextpress auth brake";

function isAuthBrake(value: unknown): value is AuthBrake {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof Reflect.get(value, "admit") === "function" &&
    typeof Reflect.get(value, "recordFailure") === "function"
  );
}

/**
 * A brake on guessing tokens (AUTH_FAILURE_LIMIT): once a client IP has presented `rate.limit`
 * wrong tokens within the window, every protected route answers it 429 with Retry-After, whatever
 * token it sends, until the window ends.
 */
export interface AuthBrake {
  /** True to go on; false when the client is braked (it has been answered 429). Synchronous: no store round trip. */
  admit(req: ServerRequest, res: ServerResponse): boolean;
  /** Counts a wrong token, in the background. */
  recordFailure(req: ServerRequest): void;
}

/** The client's address as express-rate-limit keys it (IPv6 by /56). */
const keyOf = (req: ServerRequest) =>
  loadRateLimit().ipKeyGenerator(req.ip ?? req.socket?.remoteAddress ?? "");

/** One address's wrong tokens as this replica knows them. */
interface Tally {
  /** The highest count the store has answered for this window (every replica's). */
  known: number;
  /** Wrong tokens counted here whose store increment has not answered yet. */
  pending: number;
  /** When the window ends (the store's reset time once it answered). */
  resetAt: number;
}

/**
 * Wrong tokens are counted in `store` (Redis: one count for every replica) and, synchronously, in
 * a local tally: the store's last answer plus the increments still on their way. A replica brakes
 * an IP as soon as that tally reaches the limit, so requests parsed from one socket read (HTTP
 * pipelining) are braked one by one, never admitted all before the store answers. A request with
 * a valid token costs one Map lookup and no store round trip. Across replicas, each one learns of
 * the others' counts from its own next wrong token's answer: at most one more guess per replica
 * per window. A store that is down leaves each replica its own count (the limit per replica).
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
  const tallies = new Map<string, Tally>();
  // Braked IPs and old tallies leave their Maps once their window is over, asked about again or not.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, until] of brakedUntil) if (until <= now) brakedUntil.delete(key);
    for (const [key, tally] of tallies) if (tally.resetAt <= now) tallies.delete(key);
  }, rate.windowMs);
  sweep.unref();

  const tallyOf = (key: string, now: number): Tally => {
    const tally = tallies.get(key);
    if (tally && tally.resetAt > now) return tally;
    const fresh = { known: 0, pending: 0, resetAt: now + rate.windowMs };
    tallies.set(key, fresh);
    return fresh;
  };
  const brakeIfOver = (req: ServerRequest, key: string, tally: Tally) => {
    const failures = tally.known + tally.pending;
    if (failures < rate.limit) return;
    if (!brakedUntil.has(key))
      logger.warn(
        { ip: req.ip, failures, untilMs: tally.resetAt - Date.now() },
        "authenticate: too many wrong tokens from this address: braked",
      );
    brakedUntil.set(key, Math.max(brakedUntil.get(key) ?? 0, tally.resetAt));
  };

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
      const counted = tallyOf(key, Date.now());
      counted.pending += 1;
      brakeIfOver(req, key, counted);
      Promise.resolve(counter().increment(key)).then(
        ({ totalHits, resetTime }) => {
          counted.pending -= 1;
          const tally = tallyOf(key, Date.now());
          tally.known = Math.max(tally.known, totalHits);
          if (resetTime) tally.resetAt = resetTime.getTime();
          brakeIfOver(req, key, tally);
        },
        // The store is down: reported once by its outage reporter; the local tally keeps the count.
        () => {
          counted.known += 1;
          counted.pending -= 1;
        },
      );
    },
  };
}

/** Makes every authenticate of `app`'s requests use `brake`. */
export function configureAuthBrake(app: Application, brake: AuthBrake): void {
  app.set(APP_SETTING, brake);
}

/** The brake for this request's app, if it has one. */
export function authBrakeOf(req: ServerRequest): AuthBrake | undefined {
  const brake: unknown = req.app?.get(APP_SETTING);
  return isAuthBrake(brake) ? brake : undefined;
}
