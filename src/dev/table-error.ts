import type { IncomingMessage, ServerResponse } from "node:http";
import { JSON_CONTENT_TYPE } from "../http/json-error";
import { withoutStackFrames } from "./failed-files";

function send(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.statusCode = status;
  res.setHeader("Content-Type", JSON_CONTENT_TYPE);
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

/**
 * What the dev server serves while the route table cannot be built (two files for one URL, a bad
 * file name, …): every request under `prefix` answers 500 with the loader's message (which names
 * the files and the fix) without stack frames; anything else is 404.
 */
export function createTableErrorHandler(loadError: string, prefix = "/api") {
  const message = withoutStackFrames(loadError);
  return function tableError(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const underPrefix =
      url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
    send(res, underPrefix ? 500 : 404, underPrefix ? message : "Not Found");
  };
}
