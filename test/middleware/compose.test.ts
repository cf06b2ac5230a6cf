import { defineRoute } from "../../src/define-route";
import {
  composeMiddleware,
  runHandler,
  SKIP,
  withMiddleware,
  wrappedMiddleware,
  type Done,
  type Runner,
} from "../../src/middleware/compose";
import type { Middleware, NextApiHandler, NextApiRequest, NextApiResponse } from "../../src/types";

const req = {} as NextApiRequest;
const res = {} as NextApiResponse;

/** Runs a runner and resolves with what it passed to done (undefined for success). */
function run(runner: Runner): Promise<{ error: unknown }> {
  return new Promise((resolve) =>
    runner(req, res, ((error?: unknown) => resolve({ error })) as Done),
  );
}

function recorder() {
  const calls: string[] = [];
  const step =
    (name: string): Middleware =>
    (_req, _res, next) => {
      calls.push(name);
      next();
    };
  const finish: Runner = (_req, _res, done) => {
    calls.push("handler");
    done();
  };
  return { calls, step, finish };
}

describe("composeMiddleware", () => {
  it("runs the middleware in order, then the final runner, then done()", async () => {
    const { calls, step, finish } = recorder();
    expect(await run(composeMiddleware([step("a"), step("b"), step("c")], finish))).toStrictEqual({
      error: undefined,
    });
    expect(calls).toStrictEqual(["a", "b", "c", "handler"]);
  });

  it("returns the final runner itself when there is no middleware", () => {
    const { finish } = recorder();
    expect(composeMiddleware([], finish)).toBe(finish);
  });

  it("waits for async middleware and for next() called later from a timer", async () => {
    const { calls, step, finish } = recorder();
    const slow: Middleware = async (_req, _res, next) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      calls.push("slow");
      next();
    };
    const timer: Middleware = (_req, _res, next) => {
      setTimeout(() => {
        calls.push("timer");
        next();
      }, 5);
    };
    await run(composeMiddleware([slow, step("sync"), timer], finish));
    expect(calls).toStrictEqual(["slow", "sync", "timer", "handler"]);
  });

  it.each<[string, Middleware]>([
    ["passed to next()", (_req, _res, next) => next(new Error("boom"))],
    [
      "thrown",
      () => {
        throw new Error("boom");
      },
    ],
    ["rejected", async () => Promise.reject(new Error("boom"))],
  ])("stops at an error %s and hands it to done", async (_how, failing) => {
    const { calls, step, finish } = recorder();
    const { error } = await run(composeMiddleware([step("a"), failing, step("never")], finish));
    expect(error).toEqual(new Error("boom"));
    expect(calls).toStrictEqual(["a"]);
  });

  it("turns a rejection without a reason into an Error rather than success", async () => {
    const { calls, finish } = recorder();
    const { error } = await run(composeMiddleware([() => Promise.reject(undefined)], finish));
    expect(error).toBeInstanceOf(Error);
    expect(calls).toStrictEqual([]);
  });

  it.each(["route", "router"])('maps next("%s") to SKIP without running the rest', async (skip) => {
    const { calls, step, finish } = recorder();
    const { error } = await run(
      composeMiddleware([(_req, _res, next) => next(skip), step("never")], finish),
    );
    expect(error).toBe(SKIP);
    expect(calls).toStrictEqual([]);
  });

  it.each([null, false, 0, ""])("treats next(%j) as success, as Express does", async (falsy) => {
    const { calls, finish } = recorder();
    expect(await run(composeMiddleware([(_req, _res, next) => next(falsy)], finish))).toStrictEqual(
      { error: undefined },
    );
    expect(calls).toStrictEqual(["handler"]);
  });

  it("stops when a middleware answers without calling next", () => {
    const { calls, step, finish } = recorder();
    const done = jest.fn();
    composeMiddleware([step("a"), () => undefined, step("never")], finish)(req, res, done);
    expect(calls).toStrictEqual(["a"]);
    expect(done).not.toHaveBeenCalled();
  });

  it("starts every request at the first middleware again", async () => {
    const { calls, step, finish } = recorder();
    const runner = composeMiddleware([step("a"), step("b")], finish);
    await run(runner);
    await run(runner);
    expect(calls).toStrictEqual(["a", "b", "handler", "a", "b", "handler"]);
  });

  it("hands a throw from the final runner to done", async () => {
    const { step } = recorder();
    const { error } = await run(
      composeMiddleware(
        [step("a")],
        runHandler(() => Promise.reject(new Error("late"))),
      ),
    );
    expect(error).toEqual(new Error("late"));
  });
});

describe("runHandler", () => {
  it("calls done() when the handler returns and when it resolves", async () => {
    expect(await run(runHandler(() => 42))).toStrictEqual({ error: undefined });
    expect(await run(runHandler(async () => 42))).toStrictEqual({ error: undefined });
  });

  it("calls done(error) when the handler throws or rejects", async () => {
    const thrown = new Error("thrown");
    expect(
      await run(
        runHandler(() => {
          throw thrown;
        }),
      ),
    ).toStrictEqual({ error: thrown });
    expect(await run(runHandler(async () => Promise.reject(thrown)))).toStrictEqual({
      error: thrown,
    });
  });
});

describe("withMiddleware", () => {
  it("returns a handler that runs the middleware, in order, before the wrapped handler", async () => {
    const { calls, step } = recorder();
    const handler: NextApiHandler = () => void calls.push("handler");
    await withMiddleware(step("a"), step("b"), handler)(req, res);
    expect(calls).toStrictEqual(["a", "b", "handler"]);
  });

  it("resolves once the wrapped async handler has finished", async () => {
    let finished = false;
    await withMiddleware(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      finished = true;
    })(req, res);
    expect(finished).toBe(true);
  });

  it("rejects with an error from the chain, and never runs the handler", async () => {
    const handler = jest.fn();
    const failing: Middleware = (_req, _res, next) => next(new Error("chain failed"));
    await expect(withMiddleware(failing, handler)(req, res)).rejects.toThrow("chain failed");
    expect(handler).not.toHaveBeenCalled();
  });

  it("rejects with the handler's error", async () => {
    await expect(
      withMiddleware(() => Promise.reject(new Error("handler failed")))(req, res),
    ).rejects.toThrow("handler failed");
  });

  it('rejects with SKIP for next("route"), so the dispatcher can fall through', async () => {
    const handler = jest.fn();
    await expect(
      withMiddleware((_req, _res, next) => next("route"), handler)(req, res),
    ).rejects.toBe(SKIP);
    expect(handler).not.toHaveBeenCalled();
  });

  it("records the middleware it runs, nested withMiddleware and defineRoute around it included", () => {
    const { step } = recorder();
    const [a, b] = [step("a"), step("b")];
    const inner = withMiddleware(b, () => undefined);
    expect(wrappedMiddleware(withMiddleware(a, () => undefined))).toStrictEqual([a]);
    expect(wrappedMiddleware(withMiddleware(a, inner))).toStrictEqual([a, b]);
    expect(wrappedMiddleware(defineRoute({ handler: withMiddleware(a, inner) }))).toStrictEqual([
      a,
      b,
    ]);
    expect(wrappedMiddleware(() => undefined)).toStrictEqual([]);
    expect(wrappedMiddleware(undefined)).toStrictEqual([]);
  });

  it("composes once: changing the arguments' array afterwards changes nothing", async () => {
    const { calls, step } = recorder();
    const chain: [Middleware, NextApiHandler] = [step("a"), () => void calls.push("handler")];
    const handler = withMiddleware(...chain);
    chain[0] = step("swapped");
    await handler(req, res);
    expect(calls).toStrictEqual(["a", "handler"]);
  });
});
