import type { ServerResponse } from "node:http";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from "@opentelemetry/api";
import { requestState, type RequestState } from "../http/request-state";
import type { ServerRequest } from "../http/server-request";

// OpenTelemetry's HTTP semantic conventions (stable): https://opentelemetry.io/docs/specs/semconv/http/http-spans/
const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "QUERY",
]);

function startAttributes(req: ServerRequest, method: string): Attributes {
  const url = req.url ?? "/";
  const queryStart = url.indexOf("?");
  const attributes: Attributes = {
    "http.request.method": method,
    // The path only: a query string may carry secrets.
    "url.path": queryStart === -1 ? url : url.slice(0, queryStart),
    "url.scheme": req.protocol,
    "client.address": req.ip,
    "network.protocol.version": req.httpVersion,
    "user_agent.original": req.headers["user-agent"],
  };
  if (method === "_OTHER") attributes["http.request.method_original"] = req.method;
  return attributes;
}

/** When the exchange ends: the route template (never the URL), the status, 5xx as an error. */
function endSpan(span: Span, method: string, state: RequestState, res: ServerResponse): void {
  const route = state.route?.pattern;
  if (route !== undefined) {
    span.setAttribute("http.route", route);
    span.updateName(`${method === "_OTHER" ? "HTTP" : method} ${route}`);
  }
  if (state.websocket) {
    // An upgrade: the span covers the connection's life, and ends with its close code.
    span.setAttribute("http.response.status_code", 101);
    if (state.websocket.closeCode !== undefined)
      span.setAttribute("websocket.close_code", state.websocket.closeCode);
    return span.end();
  }
  if (res.headersSent) span.setAttribute("http.response.status_code", res.statusCode);
  if (!res.writableFinished) span.setAttribute("error.type", "aborted");
  else if (res.statusCode >= 500) {
    span.setAttribute("error.type", String(res.statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * One SERVER span per request, continuing the trace of an incoming W3C `traceparent`, named
 * `GET /api/users/[id]` once the dispatcher has matched the route (`GET` when nothing matched),
 * with the stable HTTP attributes, `http.route` among them. The rest of the request runs in the
 * span's context: spans its code starts are its children, and its log lines carry `trace_id` and
 * `span_id`. The span goes to whatever tracer provider is registered (the server registers
 * OpenTelemetry's SDK when OTLP export is configured). Health checks, answered before this step,
 * make no spans.
 * @public loaded with require() by app/create-app.ts, only when tracing is on
 */
export function createTraceRequest() {
  const tracer = trace.getTracer("nextpress");
  return function traceRequest(req: ServerRequest, res: ServerResponse, next: () => void): void {
    const state = requestState(req);
    const method = req.method && KNOWN_METHODS.has(req.method) ? req.method : "_OTHER";
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      method === "_OTHER" ? "HTTP" : method,
      {
        kind: SpanKind.SERVER,
        startTime: state.startedAt,
        attributes: startAttributes(req, method),
      },
      parent,
    );
    if (span.isRecording()) {
      const { traceId, spanId } = span.spanContext();
      state.traceId = traceId;
      state.spanId = spanId;
    }
    res.on("close", () => endSpan(span, method, state, res));
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The active span's ids for a log line (pino's `mixin`), or nothing outside a traced request. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * An error a request ends with (a 5xx), recorded on its span.
 * @public loaded with require() by app/create-app.ts, only when tracing is on
 */
export function recordRequestError(error: unknown): void {
  const span = trace.getSpan(context.active());
  if (span?.isRecording()) span.recordException(error instanceof Error ? error : String(error));
}
