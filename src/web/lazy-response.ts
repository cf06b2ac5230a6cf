// `NextResponse.json()`, and `Response.json()` in a route handler (response-json.ts), without
// undici's cost: a Response whose status, headers and body are kept as given and turned into Web
// objects (Headers, a ReadableStream) only if the handler reads them. The writer sends the JSON
// text it was made from; the Response constructor, its Headers and its body stream are never
// built for a handler that just returns it. It is an `instanceof Response` (and NextResponse),
// and everything Response has works on it.

import { isDisturbed } from "../internals/node-stream";

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** What a lazy JSON response holds until something reads it as a Response. */
export interface LazyJson {
  readonly status: number;
  readonly statusText: string;
  readonly init: ResponseInit | undefined;
  readonly text: string;
  headers?: Headers;
  consumed: boolean;
  stream?: ReadableStream<Uint8Array>;
}

export const kLazyJson: unique symbol = Symbol.for("nextpress.lazyJson");

type WithLazy = object & { [kLazyJson]?: LazyJson };

/** The lazy state of `response`, when it is one. */
export function lazyJsonOf(response: object): LazyJson | undefined {
  return (response as WithLazy)[kLazyJson];
}

/** Checks `init` as Response.json does: a status it can carry, with a body. */
export function createLazyJson(data: unknown, init: ResponseInit | undefined): LazyJson {
  const status = init?.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
  if (NULL_BODY_STATUS.has(status))
    throw new TypeError(`Response constructor: Invalid response status code ${status}`);
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError("Value is not JSON serializable");
  return { status, statusText: init?.statusText ?? "", init, text, consumed: false };
}

/** The headers, as Response.json makes them: the init's, with `content-type: application/json` unless given. */
export function lazyHeaders(state: LazyJson): Headers {
  if (!state.headers) {
    const headers = new Headers(state.init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    state.headers = headers;
  }
  return state.headers;
}

/** As a Response's bodyUsed: read through text()/json()…, or its stream locked or read from (released or not). */
export function isBodyUsed(state: LazyJson): boolean {
  return (
    state.consumed ||
    (state.stream !== undefined && (state.stream.locked || isDisturbed(state.stream)))
  );
}

function take(state: LazyJson): string {
  if (isBodyUsed(state)) throw new TypeError("Body is unusable: Body has already been read");
  state.consumed = true;
  return state.text;
}

/** Accessors and methods that stand in for Response's own on a lazy instance (and defer to them otherwise). */
export function installLazyJson(
  proto: object,
  make: (body: string, init: ResponseInit) => Response,
): void {
  const inherited = (self: object, name: string): unknown =>
    Reflect.get(Response.prototype, name, self);
  const call = (self: object, name: string): unknown =>
    (Reflect.get(Response.prototype, name) as (this: object) => unknown).call(self);
  const getters: Record<string, (state: LazyJson) => unknown> = {
    status: (state) => state.status,
    statusText: (state) => state.statusText,
    ok: (state) => state.status >= 200 && state.status < 300,
    headers: (state) => lazyHeaders(state),
    body: (state) => (state.stream ??= new Response(state.text).body as ReadableStream<Uint8Array>),
    bodyUsed: isBodyUsed,
    type: () => "default",
    url: () => "",
    redirected: () => false,
  };
  for (const [name, get] of Object.entries(getters)) {
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: true,
      get(this: WithLazy) {
        const state = this[kLazyJson];
        return state ? get(state) : inherited(this, name);
      },
    });
  }
  const methods: Record<string, (state: LazyJson, self: WithLazy) => unknown> = {
    text: async (state) => take(state),
    json: async (state) => JSON.parse(take(state)) as unknown,
    arrayBuffer: async (state) => {
      const bytes = Buffer.from(take(state));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
    bytes: async (state) => new Uint8Array(Buffer.from(take(state))),
    blob: async (state) =>
      new Blob([take(state)], { type: lazyHeaders(state).get("content-type") ?? "" }),
    formData: async () => {
      throw new TypeError("Response.formData: the body is JSON, not form data");
    },
    clone: (state) => {
      if (isBodyUsed(state)) throw new TypeError("Response.clone: Body has already been consumed.");
      return make(state.text, {
        status: state.status,
        statusText: state.statusText,
        headers: new Headers(lazyHeaders(state)),
      });
    },
  };
  for (const [name, run] of Object.entries(methods)) {
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value(this: WithLazy) {
        const state = this[kLazyJson];
        return state ? run(state, this) : call(this, name);
      },
    });
  }
}
