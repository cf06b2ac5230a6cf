import type { Endpoint } from "../loader/build-route";
import type { Route } from "../loader/load-routes";
import { sendJsonError } from "../http/json-error";
import { loggedUrl, requestState } from "../http/request-state";
import { composeMiddleware, runHandler, SKIP, type Done, type Runner } from "../middleware/compose";
import { isNoBody, parseBody, readEmptyBody } from "../next/body";
import { buildQuery } from "../next/request";
import type { NextApiHandler, NextApiRequest, NextApiResponse } from "../types";
import { validateRequest } from "../validation/validate-request";
import type { WebRunnerOptions } from "./run-web-route";

/** Readable.pipe() adds an `unpipe` listener to its destination: how Next's "wasPiped" is seen for free. */
function isPipedInto(res: NextApiResponse): boolean {
  return res.listenerCount("unpipe") > 0;
}

function warnIfUnanswered(route: Route, req: NextApiRequest, res: NextApiResponse): void {
  if (
    !route.settings.externalResolver &&
    !res.writableEnded &&
    !res.headersSent &&
    !isPipedInto(res)
  ) {
    req.log.warn(
      { route: route.file },
      `API resolved without sending a response for ${loggedUrl(req)}, this may result in stalled requests.`,
    );
  }
}

/** 204 + Allow for OPTIONS, 405 + Allow for anything else a method-export route does not export. */
function automaticAnswer(allow: string): Runner {
  return (req, res, done) => {
    res.setHeader("Allow", allow);
    if (req.method === "OPTIONS") {
      res.statusCode = 204;
      res.end();
    } else {
      sendJsonError(req, res, 405, "Method Not Allowed");
    }
    done();
  };
}

/** Validation (when the endpoint has a schema), then the handler, then Next's "no response" warning. */
function endpointRunner(route: Route, endpoint: Endpoint): Runner {
  const { handler, schema } = endpoint;
  if (!handler) return automaticAnswer(route.endpoints.allow ?? "");
  const validates =
    schema !== undefined && (schema.query ?? schema.body ?? schema.headers) !== undefined;
  const final: NextApiHandler = validates
    ? async (req, res) => {
        const issues = await validateRequest(schema, req);
        if (issues) {
          sendJsonError(req, res, 400, "Invalid request", { issues });
          return;
        }
        await handler(req, res);
        warnIfUnanswered(route, req, res);
      }
    : async (req, res) => {
        await handler(req, res);
        warnIfUnanswered(route, req, res);
      };
  return composeMiddleware(endpoint.middleware, runHandler(final));
}

function isMultipartRequest(req: NextApiRequest): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(req.headers["content-type"] ?? "");
}

/** What a route's runner reports back: nothing (answered), an error, or SKIP (`next("route")`). */
export type RouteRunner = (req: NextApiRequest, res: NextApiResponse, done: Done) => void;

/**
 * Composes, once, everything one route does for a request, as Next's apiResolver plus our
 * middleware and method exports: body parsed (unless `bodyParser: false` or a body is already
 * there) → the route's middleware chain → the endpoint for the method (405/OPTIONS, validation,
 * handler). `done(error)` on an error, `done(SKIP)` when a middleware calls `next("route")`.
 */
export function createRouteRunner(route: Route, options: WebRunnerOptions): RouteRunner {
  if (route.kind !== "pages") {
    // Required with the first Web route, not at start-up: the Web layer (NextRequest, cookies,
    // the response writer) is about 15 ms of module loading that a pages-only API never needs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above.
    const { createWebRouteRunner } = require("./run-web-route") as typeof import("./run-web-route");
    return createWebRouteRunner(route, options);
  }
  const { bodyParser, responseLimit, multipart } = route.settings;
  const upload = route.upload;
  const runners = new Map(
    [...route.endpoints.byMethod].map(([method, endpoint]) => [
      method,
      endpointRunner(route, endpoint),
    ]),
  );
  const fallback = endpointRunner(route, route.endpoints.fallback);
  const dispatchMethod: Runner = (req, res, done) =>
    (runners.get(req.method) ?? fallback)(req, res, done);
  const chain = composeMiddleware(route.chain, dispatchMethod);

  return function runRoute(req, res, done) {
    const state = requestState(req);
    if (state.clientUrl !== undefined) {
      // Routed by another URL (a rewrite, the basePath, trailingSlash): the query is the routed
      // URL's, req.url the client's, as Next's pages API routes see them.
      state.query = buildQuery(req.url ?? "", state.params, state.rewriteParams);
      req.url = state.clientUrl;
    }
    state.responseLimit = responseLimit;
    state.upload = upload;
    if (!bodyParser || req.body !== undefined) return chain(req, res, done);
    // A route with `config.multipart` reads its multipart bodies itself, with readMultipart.
    if (multipart && isMultipartRequest(req)) return chain(req, res, done);
    const empty = readEmptyBody(req);
    if (!isNoBody(empty)) {
      req.body = empty;
      return chain(req, res, done);
    }
    parseBody(req, bodyParser.limit, bodyParser.limitText).then((body) => {
      req.body = body;
      chain(req, res, done);
    }, done);
  };
}

export { SKIP };
