// Express 5's own router behind `app.router` and the `app.handle` its app function calls: neither
// is in @types/express. test/internals/express.test.ts holds the shape relied on here.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";

type Handle = (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void;

/** What `app.use`/`app.get` added to the app (layers), run by Express's router. */
export interface AppRouter {
  readonly stack: readonly unknown[];
  readonly handle: Handle;
}

/** The app's router (the `router` package): its layers and its `handle(req, res, done)`. */
export function appRouterOf(app: Express): AppRouter {
  const router = app.router;
  const handle: unknown = Reflect.get(router, "handle");
  if (typeof handle !== "function")
    throw new TypeError(
      "express's app.router has no handle(): an Express version nextpress does not know",
    );
  return {
    stack: router.stack,
    handle: (req, res, done) => void handle.call(router, req, res, done),
  };
}

/** Makes `app(req, res, next)` (http.createServer(app), supertest, a mounting app) run `handle`. */
export function replaceAppHandle(app: Express, handle: Handle): void {
  if (typeof Reflect.get(app, "handle") !== "function")
    throw new TypeError(
      "express's app has no handle(): an Express version nextpress does not know",
    );
  Object.assign(app, { handle });
}
