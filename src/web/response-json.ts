// `Response.json()` in a route handler as cheap as `NextResponse.json()`. Node's Response.json
// builds undici's Response (webidl checks, a Headers, a byte stream over the encoded JSON) that
// the writer then reads back: measured on Node 24, that is half the CPU of a small JSON answer,
// and the most common way Next's docs answer from a route handler. Inside a Web route's request
// scope, Response.json returns a lazy Response instead (see lazy-response.ts): an `instanceof
// Response` whose status, headers and body become Web objects only if something reads them, and
// whose JSON text the writer sends as it is. Outside a request scope (start-up code, tests, other
// libraries), and for the calls it does not cover, Response.json is Node's own.

import { createLazyJson, installLazyJson, kLazyJson, type LazyJson } from "./lazy-response";
import { insideWebRequest } from "./request-store";

/** The lazy responses' class: a Response to `instanceof`, `constructor` and `Object.prototype.toString`. */
class LazyJsonResponse extends Response {
  declare [kLazyJson]?: LazyJson;
}
installLazyJson(LazyJsonResponse.prototype, (body, init) => new Response(body, init));
Object.defineProperty(LazyJsonResponse.prototype, "constructor", {
  value: Response,
  configurable: true,
  writable: true,
});

const kOriginal = Symbol.for("nextpress.responseJson");
type PatchedResponse = typeof Response & { [kOriginal]?: typeof Response.json };

let installed: typeof Response.json | undefined;

/**
 * Replaces the global `Response.json` (once: a second call changes nothing). Covered:
 * `Response.json(data)` and `Response.json(data, { status })` (an integer) called on Response
 * itself; anything else (headers or a statusText in init, a status webidl would convert, a
 * subclass) goes to Node's, which checks and converts them as before. A second copy of this
 * module (jest gives each test file its own) wraps Node's original again, never a wrapper.
 */
export function installLazyResponseJson(): void {
  const ResponseClass = globalThis.Response as PatchedResponse;
  if (installed && ResponseClass.json === installed) return;
  const original = ResponseClass[kOriginal] ?? ResponseClass.json;
  if (!ResponseClass[kOriginal])
    Object.defineProperty(ResponseClass, kOriginal, { value: original });
  installed = function json(this: unknown, data: unknown, init?: ResponseInit): Response {
    const plain =
      init === undefined ||
      (init.headers === undefined &&
        init.statusText === undefined &&
        (init.status === undefined || Number.isInteger(init.status)));
    if (this !== ResponseClass || !plain || !insideWebRequest())
      return Reflect.apply(original, this, [data, init]) as Response;
    const response = Object.create(LazyJsonResponse.prototype) as LazyJsonResponse;
    response[kLazyJson] = createLazyJson(data, init);
    return response;
  };
  Object.defineProperty(ResponseClass, "json", {
    configurable: true,
    writable: true,
    value: installed,
  });
}
