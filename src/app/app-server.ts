import type http from "node:http";
import { createHttpServer } from "../http/server";
import type { NextpressApp } from "./create-app";

/**
 * The http.Server for a built app (`npm start`, each `nextpress dev` worker): the app's one
 * handler, requests born with its prototypes, its configured limits and JSON client errors.
 */
export function createAppServer({
  app,
  handle,
  config,
  logger,
  upgrade,
}: NextpressApp): http.Server {
  return createHttpServer(handle, {
    limits: config.server,
    prototypes: { request: app.request, response: app.response },
    logger,
    upgrade,
  });
}
