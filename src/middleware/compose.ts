import type { Middleware, NextApiHandler, NextApiRequest, NextApiResponse } from "../types";

/** `done()` after the handler; `done(error)` on any error; `done(SKIP)` for Express's `next("route")`. */
export type Done = (error?: unknown) => void;
export type Runner = (req: NextApiRequest, res: NextApiResponse, done: Done) => void;

/** Express's `next("route")` / `next("router")`: leave this route, as if it had not matched. */
export const SKIP = Symbol("nextpress.skip");

/** Marks the middleware a `withMiddleware` handler wraps, so the route table and docs can see it. */
export const kWrappedMiddleware = Symbol.for("nextpress.wrappedMiddleware");

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function settle(result: unknown, done: Done, onFulfilled: () => void): void {
  if (isThenable(result)) result.then(onFulfilled, (error: unknown) => done(error ?? new Error("rejected without a reason")));
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
 * Composes `middleware` and a final runner into one runner, once. A middleware may be sync or
 * async, call `next()`, `next(error)`, throw, or answer and stop; errors reach `done(error)`.
 * A request allocates one `next` closure, and none when there is no middleware.
 */
export function composeMiddleware(middleware: readonly Middleware[], finish: Runner): Runner {
  if (middleware.length === 0) return finish;
  return function run(req, res, done) {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error === "route" || error === "router") return done(SKIP);
      if (error !== undefined && error !== null) return done(error);
      const fn = middleware[index++];
      if (fn === undefined) return finish(req, res, done);
      try {
        settle(fn(req, res, next), done, () => undefined);
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
  };
}

/**
 * Runs `(req, res, next)` middleware before a handler and returns a plain Next handler: the
 * one-expression form of a route's `middleware` export. An error in the chain rejects the
 * handler's promise, so it reaches the error handler like a throw in the handler.
 *
 * @example
 * export default withMiddleware(authenticate, cors(), async (req, res) => res.json({ ok: true }));
 */
export function withMiddleware(...chain: [...Middleware[], NextApiHandler]): NextApiHandler {
  const handler = chain[chain.length - 1] as NextApiHandler;
  const middleware = chain.slice(0, -1) as Middleware[];
  const run = composeMiddleware(middleware, runHandler(handler));
  const wrapped: NextApiHandler = (req, res) =>
    new Promise<void>((resolve, reject) =>
      run(req, res, (error) => (error === undefined || error === SKIP ? resolve() : reject(error))),
    );
  return Object.assign(wrapped, { [kWrappedMiddleware]: middleware });
}
