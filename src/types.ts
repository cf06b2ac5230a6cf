import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { RouteRef } from "./http/request-state";
import type { ServerRequest, ServerResponse } from "./http/server-request";

/** A query value: one string, or every value of a repeated key (catch-all params are arrays too). */
export type QueryValue = string | string[];

/**
 * The request a handler receives: Express's request with Next's `query`, `cookies` and `body`.
 * Where ServerRequest leaves Express's fields optional, a handler's request has them as Express types them.
 */
export interface NextApiRequest
  extends ServerRequest, Omit<Request, "query" | "cookies" | "body" | keyof ServerRequest> {
  method: Request["method"];
  url: Request["url"];
  res?: Request["res"];
  next?: Request["next"];
  baseUrl: Request["baseUrl"];
  originalUrl: Request["originalUrl"];
  params: Request["params"];
  app: Request["app"];
  readonly ip: Request["ip"];
  readonly protocol: Request["protocol"];
  readonly host: Request["host"];
  /** The route that matched: its Express path, Next pattern, file and methods. */
  route: RouteRef;
  /** Query string merged with the route params; params win. */
  query: Partial<Record<string, QueryValue>>;
  /** Parsed `Cookie` header; the first occurrence of a name wins. */
  cookies: Partial<Record<string, string>>;
  /** Parsed by Content-Type unless `config.api.bodyParser` is false. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Next types the body as any: its shape depends on Content-Type and the client.
  body: any;
  /** The request id (from X-Request-Id, or generated). */
  id: string;
  /** A logger bound to this request's id. */
  log: Logger;
  /** What `authenticate` accepted: set for the handler when the request passed. */
  auth?: AuthInfo;
  /** True in preview or draft mode (the request carries this server's preview cookies). */
  preview?: boolean;
  /** What `res.setPreviewData()` stored; `{}` in draft mode; false outside both. */
  previewData?: unknown;
  /** True in draft mode, as Next sets it: the same as `preview`. */
  draftMode?: boolean;
}

/** The response a handler receives: Express's response with Next's `send`, `json`, `redirect`. */
export interface NextApiResponse<Data = unknown>
  extends
    ServerResponse,
    Omit<Response, "status" | "send" | "json" | "redirect" | keyof ServerResponse> {
  req: Response["req"];
  locals: Response["locals"];
  status(statusCode: number): NextApiResponse<Data>;
  send(body: Data): void;
  json(body: Data): void;
  redirect(url: string): NextApiResponse<Data>;
  redirect(status: number, url: string): NextApiResponse<Data>;
  revalidate(urlPath: string, opts?: { unstable_onlyGenerated?: boolean }): Promise<void>;
  /** Next's preview mode: both preview cookies set, `data` sealed with PREVIEW_SECRET's key (2 KB at most). */
  setPreviewData(
    data: object | string,
    options?: { maxAge?: number; path?: string },
  ): NextApiResponse<Data>;
  /** Both preview cookies expired. */
  clearPreviewData(options?: { path?: string }): NextApiResponse<Data>;
  /** Next's draft mode: the bypass cookie set (`enable: true`) or expired. */
  setDraftMode(options: { enable: boolean }): NextApiResponse<Data>;
}

export type NextApiHandler<Data = unknown> = (
  req: NextApiRequest,
  res: NextApiResponse<Data>,
) => unknown | Promise<unknown>;

/** Express-style middleware: `(req, res, next)`. */
export type Middleware = (
  req: NextApiRequest,
  res: NextApiResponse,
  next: (error?: unknown) => void,
) => unknown;

/** What `authenticate` accepted; a custom `verify` may add its own fields (user id, scopes, …). */
export interface AuthInfo {
  scheme: "bearer";
  /** Index of the configured token that matched (token lists only); never the token itself. */
  tokenIndex?: number;
  [key: string]: unknown;
}

/** Size accepted by `bytes.parse`: `"500kb"`, `"1mb"`, or a number of bytes. */
export type SizeLimit = string | number;

/** `export const config` of a route file, as in Next. */
export interface PageConfig {
  api?: {
    bodyParser?: boolean | { sizeLimit?: SizeLimit };
    responseLimit?: boolean | SizeLimit;
    externalResolver?: boolean;
  };
  maxDuration?: number;
  /** nextpress: `{ inherit: false }` skips the `_middleware` of every folder above this route. */
  middleware?: { inherit?: boolean };
  /** nextpress: this route's requests per window per client IP (`"10/1m"`), instead of RATE_LIMIT's; false: not limited. */
  rateLimit?: string | false;
}
