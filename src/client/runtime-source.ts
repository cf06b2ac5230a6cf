// The runtime every generated client carries, as text: plain TypeScript that only needs the
// global fetch, Headers, FormData, TextDecoder and Blob (browsers, Node 18+, Deno, Bun, workers).
/** The types every client shares, at the top of its `api.d.ts`. */
export const SHARED_TYPES_SOURCE = String.raw`
/** How every call of a client is sent. */
export interface ClientOptions {
  /** Where the API is, e.g. "https://api.example.com"; default "" (the page's own origin). */
  baseUrl?: string;
  /** Sent with every call; a function is asked on every call. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** A Bearer token for routes behind authenticate; a function is asked on every call. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Your own fetch (retries, tracing, a test double); default: the global one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/** Per call: an AbortSignal, extra headers. */
export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** One answer: a status, its body as JSON (text when it is not JSON), the headers. */
export interface Answer<S extends number, B> {
  status: S;
  body: B;
  headers: Headers;
}

/** Every error nextpress itself answers. */
export interface ErrorBody {
  message: string;
}

/** A 400 from a route's zod schema: every issue of the headers, query and body. */
export interface ValidationErrorBody {
  message: string;
  issues?: { path: (string | number)[]; message: string; code: string }[];
}

/** One event of a text/event-stream answer, which arrives as an AsyncIterable of these. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** Success statuses of a route that declares none of its responses. */
export type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;
`;

/** The runtime, in its `index.ts`: the types come from `api.d.ts`. */
export const RUNTIME_SOURCE = String.raw`
import type { Answer, CallOptions, Client, ClientOptions, ServerSentEvent } from "./api.js";

export type * from "./api.js";

interface CallInput {
  params?: Record<string, string | readonly string[] | undefined>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

function toPath(template: string, params: CallInput["params"] = {}): string {
  return template.replace(/\/\{([^}]+)\}/g, (_all, name: string) => {
    const value = params[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return "";
    const parts: readonly string[] = Array.isArray(value) ? value : [String(value)];
    return "/" + parts.map(encodeURIComponent).join("/");
  });
}

function toSearch(query: CallInput["query"] = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? "?" + text : "";
}

function isFile(value: unknown): boolean {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

/** A body with a File or Blob at its top level goes as multipart/form-data; anything else as JSON. */
function toBody(body: unknown, headers: Headers): RequestInit["body"] {
  if (body === undefined) return undefined;
  const fields = typeof body === "object" && body !== null ? Object.entries(body) : [];
  const multipart = fields.some(([, v]) => isFile(v) || (Array.isArray(v) && v.some(isFile)));
  if (!multipart) {
    headers.set("content-type", "application/json");
    return JSON.stringify(body);
  }
  const form = new FormData();
  for (const [name, value] of fields) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      if (isFile(item)) form.append(name, item as Blob);
      else form.append(name, typeof item === "string" ? item : JSON.stringify(item));
    }
  }
  return form;
}

async function* readEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event: ServerSentEvent = { event: "message", data: "" };
  let lines: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (event.data !== "") yield { ...event, data: event.data.replace(/\n$/, "") };
        event = { event: "message", data: "" };
        continue;
      }
      const colon = line.indexOf(":");
      if (colon === 0) continue;
      const field = colon === -1 ? line : line.slice(0, colon);
      const text = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data += text + "\n";
      else if (field === "event") event.event = text;
      else if (field === "id") event.id = text;
    }
  }
}

async function readBody(response: Response, method: string): Promise<unknown> {
  if (method === "HEAD" || response.status === 204 || response.status === 304) return undefined;
  const type = response.headers.get("content-type") ?? "";
  if (/^text\/event-stream/i.test(type) && response.body) return readEvents(response.body);
  const text = await response.text();
  if (!/[/+]json\b/i.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function send(
  options: ClientOptions,
  method: string,
  template: string,
  input: CallInput,
  call: CallOptions = {},
): Promise<Answer<number, unknown>> {
  const headers = new Headers();
  const shared = typeof options.headers === "function" ? await options.headers() : options.headers;
  for (const [name, value] of Object.entries(shared ?? {})) headers.set(name, value);
  const token = typeof options.token === "function" ? await options.token() : options.token;
  if (token) headers.set("authorization", "Bearer " + token);
  for (const [name, value] of Object.entries({ ...input.headers, ...call.headers }))
    if (value !== undefined) headers.set(name, value);
  const body = toBody(input.body, headers);
  const url = (options.baseUrl ?? "").replace(/\/$/, "") + toPath(template, input.params) + toSearch(input.query);
  const doFetch = options.fetch ?? ((target: string, init: RequestInit) => fetch(target, init));
  const response = await doFetch(url, { method, headers, body, signal: call.signal });
  return { status: response.status, body: await readBody(response, method), headers: response.headers };
}

/** Each operation as "operationId METHOD /path": plain strings cost the type checker next to nothing. */
function bind<C>(operations: readonly string[], options: ClientOptions): C {
  const client: Record<string, (input?: CallInput, call?: CallOptions) => Promise<unknown>> = {};
  for (const line of operations) {
    const [name, method, ...rest] = line.split(" ");
    const path = rest.join(" ");
    client[name] = (input, call) => send(options, method, path, input ?? {}, call);
  }
  return client as C;
}
`;
