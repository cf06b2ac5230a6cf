import type { NextFunction, Request, Response } from "express";
import type { Endpoint } from "../loader/build-route";
import type { Route } from "../loader/load-routes";
import { composeMiddleware, runHandler, SKIP, type Done, type Runner } from "../middleware/compose";
import { sendJsonError } from "../middleware/error-handler";
import type { NextApiHandler, NextApiRequest, NextApiResponse } from "../types";
import { validateRequest } from "../validation/validate-request";
import { isNoBody, parseBody, readEmptyBody } from "./body";
import { kResponseLimit } from "./response";

/** Readable.pipe() adds an `unpipe` listener to its destination: how Next's "wasPiped" is seen for free. */
function isPipedInto(res: NextApiResponse): boolean {
  return res.listenerCount("unpipe") > 0;
}

function warnIfUnanswered(route: Route, req: NextApiRequest, res: NextApiResponse): void {
  if (!route.settings.externalResolver && !res.writableEnded && !res.headersSent && !isPipedInto(res)) {
    req.log.warn(
      { route: route.file },
      `API resolved without sending a response for ${req.originalUrl}, this may result in stalled requests.`,
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
      sendJsonError(req as unknown as Request, res as unknown as Response, 405, "Method Not Allowed");
    }
    done();
  };
}

/** Validation (when the endpoint has a schema), then the handler, then Next's "no response" warning. */
function endpointRunner(route: Route, endpoint: Endpoint): Runner {
  const { handler, schema } = endpoint;
  if (!handler) return automaticAnswer(route.endpoints.allow ?? "");
  const validates = schema !== undefined && (schema.query ?? schema.body ?? schema.headers) !== undefined;
  const final: NextApiHandler = validates
    ? async (req, res) => {
        const issues = await validateRequest(schema, req);
        if (issues) {
          sendJsonError(req as unknown as Request, res as unknown as Response, 400, "Invalid request", { issues });
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

/**
 * Composes, once, everything one route does for a request, as Next's apiResolver plus our
 * middleware and method exports: body parsed (unless `bodyParser: false` or a body is already
 * there) → the route's middleware chain → the endpoint for the method (405/OPTIONS, validation,
 * handler). Errors go to Express's `next(error)`; `next("route")` in a middleware falls through.
 */
export function createRouteRunner(route: Route): (req: Request, res: Response, next: NextFunction) => void {
  const { bodyParser, responseLimit } = route.settings;
  const runners = new Map([...route.endpoints.byMethod].map(([method, endpoint]) => [method, endpointRunner(route, endpoint)]));
  const fallback = endpointRunner(route, route.endpoints.fallback);
  const dispatchMethod: Runner = (req, res, done) => (runners.get(req.method) ?? fallback)(req, res, done);
  const chain = composeMiddleware(route.chain, dispatchMethod);

  return function runRoute(request, response, next) {
    const req = request as unknown as NextApiRequest;
    const res = response as unknown as NextApiResponse;
    (res as unknown as Record<symbol, unknown>)[kResponseLimit] = responseLimit;
    const done: Done = (error) => {
      if (error === SKIP) next();
      else if (error !== undefined) next(error);
    };
    if (!bodyParser || req.body !== undefined) return chain(req, res, done);
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
