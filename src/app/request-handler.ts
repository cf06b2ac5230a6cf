import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express } from "express";
import { isAfterLastAnswer } from "../http/lingering-close";
import type {
  ServerRequest as AppRequest,
  ServerResponse as AppResponse,
} from "../http/server-request";
import { composeMiddleware, SKIP, type Done, type Step } from "../middleware/compose";

/** What Express gives every request and response that its app handles. */
export type { AppRequest, AppResponse };

/**
 * The app's one request handler: `(req, res)` as an http.Server listener, or `(req, res, next)`
 * when an Express app mounts this one (what nothing here answers then goes on to `next`).
 */
export type RequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface Terminals {
  /** Answers what no step answered, when there is no outer app to fall through to. */
  notFound: (req: IncomingMessage, res: ServerResponse) => void;
  errorHandler: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

const isPrototypeOf = Object.prototype.isPrototypeOf;

function ownValue(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}

/**
 * `res.locals`, as Express's app.handle gives every response (an object without a prototype),
 * made on first use: most API requests never touch it.
 */
function installLocals(responseProto: object): void {
  Object.defineProperty(responseProto, "locals", {
    configurable: true,
    get(this: object) {
      const locals = Object.create(null) as Record<string, unknown>;
      ownValue(this, "locals", locals);
      return locals;
    },
    set(this: object, value: unknown) {
      ownValue(this, "locals", value);
    },
  });
}

/**
 * Builds the handler that everything runs (`npm start`, `nextpress dev`, createTestApp,
 * `http.createServer(app)`, supertest, an Express app that mounts this one). It does what
 * Express's own `app.handle` and router do before a function mounted with `app.use` runs
 * (`req.res`, `res.req`, the app's prototypes, `res.locals`, `req.baseUrl`, `req.originalUrl`,
 * `req.next`, `req.params`), then runs `stack` through the one composer. Express's router is
 * not in the way: its per-layer matching and closures cost two thirds of the throughput, and
 * `stack` already knows which step handles what.
 */
export function createRequestHandler(
  app: Express,
  stack: readonly Step<AppRequest, AppResponse>[],
  terminals: Terminals,
): RequestHandler {
  const requestProto = app.request as object;
  const responseProto = app.response as object;
  installLocals(responseProto);
  // The end of the stack: nothing answered the request.
  const run = composeMiddleware<AppRequest, AppResponse>(stack, (_req, _res, done) => done());

  return function handle(request, response, outerNext) {
    const req = request as AppRequest;
    const res = response as AppResponse;
    // The connection's last answer is already decided (a refusal, `Connection: close`): a request
    // parsed after it is dropped, never handled, never answered.
    if (isAfterLastAnswer(req.socket, res)) {
      req.resume();
      return;
    }
    // As Express's app.handle: circular references, the app's prototypes (requests born with
    // them, see http/server.ts, skip the swap); `res.locals` comes with the prototype.
    req.res = res;
    res.req = req;
    if (!isPrototypeOf.call(requestProto, req)) Object.setPrototypeOf(req, requestProto);
    if (!isPrototypeOf.call(responseProto, res)) Object.setPrototypeOf(res, responseProto);
    // As Express's router for a layer at "/": the mount path (or ""), the URL as received, params.
    const { baseUrl, next: reqNext, params } = req;
    req.baseUrl = baseUrl ?? "";
    req.originalUrl ??= req.url;
    req.params = {};
    const done: Done = (error) => {
      if (error !== undefined && error !== SKIP) {
        try {
          terminals.errorHandler(error, req, res);
        } catch {
          res.destroy();
        }
      } else if (outerNext) {
        // Back to the app that mounted this one, with what its router had set.
        req.baseUrl = baseUrl;
        req.next = reqNext;
        req.params = params;
        outerNext();
      } else {
        terminals.notFound(req, res);
      }
    };
    run(req, res, done);
  };
}
