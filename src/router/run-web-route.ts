import { Readable } from "node:stream";
import { trackBackground } from "../http/background";
import { sendJsonError } from "../http/json-error";
import { isHttpMethod } from "../http/methods";
import { requestState, type Params } from "../http/request-state";
import type { Endpoint, SocketExport } from "../loader/build-route";
import type { WebHandler, WebSettings } from "../loader/build-web-route";
import type { Route } from "../loader/load-routes";
import { composeMiddleware, type Runner } from "../middleware/compose";
import { decodeBodyBuffer } from "../next/body";
import { BYPASS_COOKIE, previewCookieOptions, type PreviewKeys } from "../next/preview";
import { buildQuery } from "../next/request";
import type { NextApiRequest, NextApiResponse } from "../types";
import { formToObject, validateParts } from "../validation/validate-request";
import { isMultipart, readFormData } from "../web/form-data";
import { NextFetchEvent } from "../web/fetch-event";
import { lazyJsonOf } from "../web/lazy-response";
import { readInterrupt } from "../web/navigation";
import { NextRequest } from "../web/next-request";
import { MIDDLEWARE_ONLY_HEADERS } from "../web/next-response";
import { readNodeBody } from "../web/request-body";
import {
  runWithWebRequestStore,
  WebRequestStore,
  type DraftModeProvider,
} from "../web/request-store";
import { installLazyResponseJson } from "../web/response-json";
import { writeWebResponse } from "../web/write-response";
import { readUpgrade } from "../web/websocket-types";
import { toUpgradeRequired } from "../web/websocket-fallback";
import type { WebSocketRuntime } from "./websocket-runtime";

export interface WebRunnerOptions {
  readonly previewKeys: PreviewKeys;
  /** WEBSOCKETS=on: what completes an upgrade; undefined: an upgrade request is an ordinary one. */
  readonly websockets?: WebSocketRuntime;
}

/** Next's getCacheControlHeader: one year is the default `expireTime`. */
const ONE_YEAR = 31_536_000;

function cacheControlFor(web: WebSettings): string | undefined {
  const revalidate = web.revalidate ?? (web.dynamic === "force-static" ? false : undefined);
  if (revalidate === undefined || revalidate === 0) return undefined;
  if (revalidate === false) return `s-maxage=${ONE_YEAR}`;
  return `s-maxage=${revalidate}, stale-while-revalidate=${ONE_YEAR - revalidate}`;
}

/** An app route's answer with no body, as Next gives one (405, 400, 204). */
function bare(res: NextApiResponse, status: number, allow?: string): void {
  if (allow) res.setHeader("Allow", allow);
  res.statusCode = status;
  res.end();
}

function draftModeFor(store: WebRequestStore, keys: PreviewKeys): DraftModeProvider {
  let enabled = store.cookieView.get(BYPASS_COOKIE)?.value === keys.previewModeId;
  const set = (enable: boolean) => {
    enabled = enable;
    store.responseCookies.set(
      BYPASS_COOKIE,
      keys.previewModeId,
      previewCookieOptions(keys, enable ? {} : { expires: new Date(0) }),
    );
  };
  return {
    get isEnabled() {
      return enabled;
    },
    enable: () => set(true),
    disable: () => set(false),
  };
}

/**
 * Params as Next's `context.params` resolves them: a copy, never the dispatcher's object; `{}` for
 * a dynamic route matched without any (an optional catch-all at its root), absent for a static one.
 */
function paramsPromise(params: Params | undefined, dynamic: boolean): Promise<Params> | undefined {
  if (params) return Promise.resolve({ ...params });
  return dynamic ? Promise.resolve({}) : undefined;
}

/** A web route's settings (every app and edge route has them). */
function webSettingsOf(route: Route): WebSettings {
  if (!route.web) throw new Error(`${route.file} is not an app or edge route`);
  return route.web;
}

/** `dynamicParams = false`: the params generateStaticParams lists, as strings, computed once. */
function staticParamsCheck(
  route: Route,
): ((params: Params | undefined) => Promise<boolean>) | undefined {
  const web = webSettingsOf(route);
  if (web.dynamicParams || !web.generateStaticParams) return undefined;
  let known: Promise<Set<string>> | undefined;
  const key = (params: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(params)
        .sort()
        .map((name) => [
          name,
          Array.isArray(params[name])
            ? (params[name] as unknown[]).map(String)
            : String(params[name]),
        ]),
    );
  return async (params) => {
    known ??= Promise.resolve(web.generateStaticParams?.()).then(
      (list) =>
        new Set(
          (Array.isArray(list) ? list : []).map((entry) => key(entry as Record<string, unknown>)),
        ),
    );
    return (await known).has(key(params ?? {}));
  };
}

/** A body read for validation as its schema sees it: multipart as an object of strings and Files. */
async function decodeValidatedBody(
  buffer: Buffer | undefined,
  type: string | undefined,
  limit: WebSettings["bodyLimit"],
): Promise<unknown> {
  if (buffer === undefined) return undefined;
  if (buffer.length === 0) return {};
  if (!isMultipart(type ?? "")) return decodeBodyBuffer(buffer, type);
  const form = await readFormData(Readable.from([buffer]), type ?? "", limit);
  return formToObject(form.entries());
}

/** False for a lazy JSON response made without headers: reading its headers would build them for nothing. */
function mayCarryHeaders(response: Response): boolean {
  const lazy = lazyJsonOf(response);
  return lazy === undefined || lazy.headers !== undefined || lazy.init?.headers !== undefined;
}

/**
 * One endpoint of a Web route: validation (when it has a schema) of the body it reads once, the
 * handler called as Next calls it inside the request's next/headers scope, its answer (a
 * Response, or a redirect()/notFound() interrupt) written back, then the work it deferred.
 */
function webEndpointRunner(route: Route, endpoint: Endpoint, options: WebRunnerOptions): Runner {
  const handler = endpoint.handler as unknown as WebHandler;
  const web = webSettingsOf(route);
  const isApp = route.kind === "app";
  const schema = endpoint.schema;
  const validates =
    schema !== undefined && (schema.query ?? schema.body ?? schema.headers) !== undefined;
  const cacheControl = isApp ? cacheControlFor(web) : undefined;
  const stripped = isApp && web.dynamic === "force-static";
  const checkStaticParams = isApp ? staticParamsCheck(route) : undefined;
  const dynamicRoute = route.segments.some((segment) => segment.kind !== "static");

  async function runWebEndpoint(req: NextApiRequest, res: NextApiResponse): Promise<void> {
    const state = requestState(req);
    state.upload = route.upload;
    if (checkStaticParams && !(await checkStaticParams(state.params))) return bare(res, 404);
    let buffer: Buffer | undefined;
    let validated: { query?: unknown; body?: unknown } = {};
    if (validates) {
      if (schema.body && req.method !== "GET" && req.method !== "HEAD")
        buffer = await readNodeBody(req, web.bodyLimit);
      const body = await decodeValidatedBody(buffer, req.headers["content-type"], web.bodyLimit);
      const result = await validateParts(schema, {
        headers: req.headers,
        query: buildQuery(req.url ?? "", state.params),
        body,
      });
      if (result.issues)
        return sendJsonError(req, res, 400, "Invalid request", { issues: result.issues });
      validated = { query: result.query, body: result.body };
    }
    let dynamicUse: string | undefined;
    // Under force-static the request is emptied: reading it is no dynamic use (Next keeps the Cache-Control).
    const onDynamicUse = (what: string) => {
      if (stripped) return;
      dynamicUse ??= what;
      if (web.dynamic === "error") {
        throw new Error(
          `Route ${route.pattern} with \`dynamic = "error"\` couldn't be rendered statically because it used \`${what}\`.`,
        );
      }
    };
    const request = NextRequest.fromNode(req, res, {
      limit: web.bodyLimit,
      stripped,
      buffer,
      onDynamicUse,
    });
    const store = new WebRequestStore(request, onDynamicUse, (s) =>
      draftModeFor(s, options.previewKeys),
    );
    const event = isApp ? undefined : new NextFetchEvent({ page: route.pattern });
    const context = isApp
      ? { params: paramsPromise(state.params, dynamicRoute), ...validated }
      : event;
    let response: Response;
    try {
      const result = await runWithWebRequestStore(store, () => handler(request, context as never));
      if (!(result instanceof Response)) {
        throw isApp
          ? new Error(
              `No response is returned from route handler '${route.absoluteFile}'. Ensure you return a \`Response\` or a \`NextResponse\` in all branches of your handler.`,
            )
          : new TypeError(
              `Expected an instance of Response to be returned (from the edge route ${route.file})`,
            );
      }
      if (
        isApp &&
        mayCarryHeaders(result) &&
        MIDDLEWARE_ONLY_HEADERS.some((name) => result.headers.has(name))
      ) {
        throw new Error(
          "NextResponse.next() or NextResponse.rewrite() was used in a app route handler, this is not supported. See here for more info: https://nextjs.org/docs/messages/next-response-next-in-app-route-handler",
        );
      }
      response = result;
    } catch (error) {
      const interrupt = readInterrupt(error);
      if (!interrupt) throw error;
      response = new Response(
        null,
        interrupt.kind === "redirect"
          ? { status: interrupt.status, headers: { Location: interrupt.location } }
          : { status: interrupt.status },
      );
    }
    if (state.timedOut) {
      // Answered 504 at the deadline: this answer comes too late and goes nowhere.
      if (response.body && !response.bodyUsed) void response.body.cancel().catch(() => undefined);
      return;
    }
    const upgrade = readUpgrade(response);
    if (upgrade && state.upgrade && options.websockets) {
      options.websockets.acceptHooks(
        route,
        req,
        res,
        request,
        response,
        upgrade,
        store.setCookieLines(),
      );
      return deferWork(store, event, req, res);
    }
    // A plain GET (or WEBSOCKETS off) to a WebSocket route: 426, as Next.
    if (upgrade) response = toUpgradeRequired(response);
    const cacheable =
      cacheControl !== undefined &&
      dynamicUse === undefined &&
      (req.method === "GET" || req.method === "HEAD") &&
      response.status === 200;
    await writeWebResponse(response, res, {
      head: req.method === "HEAD",
      cookies: store.setCookieLines(),
      cacheControl: cacheable ? cacheControl : undefined,
    });
    deferWork(store, event, req, res);
  }

  return composeMiddleware<NextApiRequest, NextApiResponse>(
    endpoint.middleware,
    (req, res, done) => {
      runWebEndpoint(req, res).then(() => done(), done);
    },
  );
}

/** `after()` tasks once the response is out, and `event.waitUntil()` work: logged when they fail, waited for at shutdown. */
function deferWork(
  store: WebRequestStore,
  event: NextFetchEvent | undefined,
  req: NextApiRequest,
  res: NextApiResponse,
): void {
  const fail = (error: unknown) =>
    req.log.error(
      { err: error, route: requestState(req).route?.file },
      "work deferred by a route failed",
    );
  for (const promise of event?.waitUntilPromises ?? []) trackBackground(promise.catch(fail));
  if (store.afterTasks.length === 0) return;
  const runTasks = () => {
    for (const task of store.afterTasks)
      trackBackground(
        Promise.resolve()
          .then(() => runWithWebRequestStore(store, task))
          .catch(fail),
      );
  };
  if (res.writableFinished || res.closed) runTasks();
  else res.once("close", runTasks);
}

/**
 * Composes, once, what a Web route (app router `route.ts`, or a pages route with `runtime:
 * 'edge'`) does for a request: its middleware chain (folders' `_middleware`, the file's), then
 * the endpoint for the method. An app route answers as Next's: HEAD by GET, OPTIONS with `Allow`
 * (204), a method it does not export 405 with an empty body (and `Allow`, which Next leaves out
 * but RFC 9110 asks for), a token that is not a method 400.
 */
export function createWebRouteRunner(route: Route, options: WebRunnerOptions): Runner {
  installLazyResponseJson();
  const isApp = route.kind === "app";
  const allow = route.endpoints.allow;
  const runners = new Map(
    [...route.endpoints.byMethod].map(([method, endpoint]) => [
      method,
      endpoint.handler ? webEndpointRunner(route, endpoint, options) : undefined,
    ]),
  );
  const fallback = route.endpoints.fallback.handler
    ? webEndpointRunner(route, route.endpoints.fallback, options)
    : undefined;
  const socket = isApp ? route.endpoints.socket : undefined;
  const websockets = options.websockets;
  const socketRunner = socket && websockets ? nextWsRunner(route, socket, websockets) : undefined;
  const dispatchMethod: Runner = (req, res, done) => {
    // next-ws's UPGRADE (or SOCKET) answers an upgrade request, GET the others.
    if (socketRunner && requestState(req).upgrade) return socketRunner(req, res, done);
    const runner = runners.has(req.method) ? runners.get(req.method) : fallback;
    if (runner) return runner(req, res, done);
    if (!isApp) return done(new Error(`the edge route ${route.file} has no handler`));
    if (!isHttpMethod(req.method)) bare(res, 400);
    else if (req.method === "OPTIONS") bare(res, 204, allow);
    else bare(res, 405, allow);
    done();
  };
  const run = composeMiddleware(route.chain, dispatchMethod);
  const acceptsUpgrades = isApp && (route.endpoints.byMethod.get("GET")?.handler ?? socket);
  if (!websockets || !acceptsUpgrades) return run;
  // A handshake that is malformed, from a foreign Origin or over the connection cap is refused
  // before any of the route's code (its middleware included) runs.
  return (req, res, done) => {
    if (requestState(req).upgrade && !websockets.admit(req, res)) return done();
    run(req, res, done);
  };
}

/** next-ws's handler for an upgrade request, inside the request's next/headers scope. */
function nextWsRunner(route: Route, socket: SocketExport, websockets: WebSocketRuntime): Runner {
  const web = webSettingsOf(route);
  return (req, res, done) => {
    const request = NextRequest.fromNode(req, res, { limit: web.bodyLimit, stripped: false });
    const store = new WebRequestStore(
      request,
      () => undefined,
      () => ({
        isEnabled: false,
        enable: () => undefined,
        disable: () => undefined,
      }),
    );
    try {
      websockets.acceptSocket(route, req, res, socket, request, store, requestState(req).params);
      done();
    } catch (error) {
      done(error);
    }
  };
}
