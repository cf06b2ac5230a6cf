import type { Route } from "../loader/load-routes";
import type { NextApiRequest, NextApiResponse } from "../types";
import { parseBody } from "./body";
import { kResponseLimit } from "./response";

/** Readable.pipe() adds an `unpipe` listener to its destination: how Next's "wasPiped" is seen for free. */
function isPipedInto(res: NextApiResponse): boolean {
  return res.listenerCount("unpipe") > 0;
}

/**
 * Runs one matched route as Next's apiResolver does: body parsed unless `bodyParser: false` or a
 * body is already there, the handler awaited, a warning when it resolves without answering.
 * Errors are thrown to the caller, which owns the error response.
 */
export async function resolveApiRoute(route: Route, req: NextApiRequest, res: NextApiResponse): Promise<void> {
  const { bodyParser, responseLimit, externalResolver } = route.settings;
  (res as unknown as Record<symbol, unknown>)[kResponseLimit] = responseLimit;
  if (bodyParser && req.body === undefined) {
    req.body = await parseBody(req, bodyParser.limit, bodyParser.limitText);
  }
  await route.handler(req, res);
  if (!externalResolver && !res.writableEnded && !res.headersSent && !isPipedInto(res)) {
    req.log.warn(
      { route: route.file },
      `API resolved without sending a response for ${req.originalUrl}, this may result in stalled requests.`,
    );
  }
}
