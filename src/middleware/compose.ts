import type { Request, Response } from "express";
import type { Middleware, NextApiHandler, NextApiRequest, NextApiResponse } from "../types";

/**
 * What `withMiddleware` and `defineRoute` accept: a nextpress Middleware, or one typed against
 * Express's own request and response (express-rate-limit, …). At run time a request is both.
 */
export type AnyMiddleware = (
  req: NextApiRequest & Request,
  res: NextApiResponse & Response,
  next: (error?: unknown) => void,
) => unknown;

/** `done()` after the handler; `done(error)` on any error; `done(SKIP)` for Express's `next("route")`. */
export type Done = (error?: unknown) => void;
export type Runner<Req = NextApiRequest, Res = NextApiResponse> = (
  req: Req,
  res: Res,
  done: Done,
) => void;
/** A `(req, res, next)` function of any request and response type. */
export type Step<Req, Res> = (req: Req, res: Res, next: (error?: unknown) => void) => unknown;

/** Express's `next("route")` / `next("router")`: leave this route, as if it had not matched. */
export const SKIP = Symbol("nextpress.skip");

/** Marks the middleware a `withMiddleware` handler wraps, so the route table and docs can see it. */
export const kWrappedMiddleware = Symbol.for("nextpress.wrappedMiddleware");

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (typeof value !== "object" && typeof value !== "function") return false;
  return value !== null && "then" in value && typeof value.then === "function";
}

function settle(result: unknown, done: Done, onFulfilled: () => void): void {
  if (isThenable(result))
    result.then(onFulfilled, (error: unknown) =>
      done(error ?? new Error("rejected without a reason")),
    );
  else onFulfilled();
}

/** A handler as a runner: `done()` when it returns or resolves, `done(error)` when it throws or rejects. */
export function runHandler(handler: NextApiHandler): Runner {
  return (req: NextApiRequest, res: NextApiResponse, done: Done): void => {
    try {
      settle(handler(req, res), done, () => done());
    } catch (error) {
      done(error);
    }
  };
}

/**
 * The one composer: `middleware` and a final runner as one runner, composed once. A middleware
 * may be sync or async, call `next()`, `next(error)`, throw, or answer and stop; errors reach
 * `done(error)`. As in Express, `req.next` is the chain's `next` while it runs. A request
 * allocates one `next` closure, and none when there is no middleware.
 */
export function composeMiddleware<Req extends { next?: unknown }, Res>(
  middleware: readonly Step<Req, Res>[],
  finish: Runner<Req, Res>,
): Runner<Req, Res> {
  if (middleware.length === 0) return finish;
  return function run(req, res, done) {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error === "route" || error === "router") return done(SKIP);
      // As in Express: a falsy argument (undefined, null, false, 0, "") means "go on".
      if (error) return done(error);
      const fn = middleware[index++];
      if (fn === undefined) return finish(req, res, done);
      try {
        settle(fn(req, res, next), done, () => undefined);
      } catch (thrown) {
        done(thrown);
      }
    };
    req.next = next;
    next();
  };
}

/**
 * Runs `(req, res, next)` middleware before a handler and returns a plain Next handler: the
 * one-expression form of a route's `middleware` export. An error in the chain rejects the
 * handler's promise, so it reaches the error handler like a throw in the handler; `next("route")`
 * falls through to 404 as it does in a route's chain.
 *
 * @example
 * export default withMiddleware(authenticate, cors(), async (req, res) => res.json({ ok: true }));
 */
export function withMiddleware(...chain: [...AnyMiddleware[], NextApiHandler]): NextApiHandler {
  const handler = chain[chain.length - 1] as NextApiHandler;
  const middleware = chain.slice(0, -1) as Middleware[];
  const run = composeMiddleware(middleware, runHandler(handler));
  const wrapped: NextApiHandler = (req, res) =>
    new Promise<void>((resolve, reject) =>
      // SKIP rejects too: the dispatcher then falls through to the next route (404), as for a route's chain.
      run(req, res, (error) => (error === undefined ? resolve() : reject(error))),
    );
  // What the handler wraps in turn (a nested withMiddleware) runs too: the route table must see it.
  return Object.assign(wrapped, {
    [kWrappedMiddleware]: [...middleware, ...wrappedMiddleware(handler)],
  });
}

/** The middleware a `withMiddleware` (or a defineRoute around one) runs inside `handler`. */
export function wrappedMiddleware(handler: unknown): readonly Middleware[] {
  return (
    (handler as Record<symbol, readonly Middleware[] | undefined> | undefined)?.[
      kWrappedMiddleware
    ] ?? []
  );
}
