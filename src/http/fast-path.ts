import http from "node:http";
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from "express";

/**
 * Request and response classes whose prototypes are the app's `request`/`response`, given to
 * http.createServer: every request is born with Express's and Next's helpers, so nothing has to
 * swap prototypes per request (Express's app.handle calls Object.setPrototypeOf twice).
 */
export function createMessageClasses(app: Express): {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse<http.IncomingMessage>;
} {
  class NextpressRequest extends http.IncomingMessage {}
  Object.setPrototypeOf(NextpressRequest.prototype, app.request);
  class NextpressResponse extends http.ServerResponse<NextpressRequest> {}
  Object.setPrototypeOf(NextpressResponse.prototype, app.response);
  return { IncomingMessage: NextpressRequest, ServerResponse: NextpressResponse };
}

/**
 * Runs nextpress's own middleware stack, the one createApp also registers with Express, without
 * Express's router: no per-layer path matching, no prototype swaps, one `next` per request. The
 * result is the same app: the same functions run in the same order with the same req and res.
 */
export function createFastHandler(stack: readonly RequestHandler[], errorHandler: ErrorRequestHandler) {
  const fail = (error: unknown, req: Request, res: Response): void => {
    try {
      errorHandler(error, req, res, () => undefined);
    } catch {
      res.destroy();
    }
  };
  return function handle(req: Request, res: Response): void {
    req.res = res;
    res.req = req;
    req.originalUrl = req.url;
    let index = 0;
    const next: NextFunction = (error?: unknown) => {
      if (error && error !== "route" && error !== "router") return fail(error, req, res);
      const fn = stack[index++];
      if (fn === undefined) return;
      try {
        const result = fn(req, res, next) as unknown;
        if (result !== undefined && typeof (result as PromiseLike<unknown>).then === "function") {
          (result as PromiseLike<unknown>).then(undefined, (rejection: unknown) => fail(rejection ?? new Error("rejected"), req, res));
        }
      } catch (thrown) {
        fail(thrown, req, res);
      }
    };
    next();
  };
}
