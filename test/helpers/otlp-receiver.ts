import http from "node:http";
import type { AddressInfo } from "node:net";

/** One exported span, as OTLP/JSON carries it, with its resource's attributes beside it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
  status: { code?: number };
  events: { name: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
}

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}

/** OTLP/JSON's `{ key, value: { stringValue | intValue | … } }` list as a plain object. */
function flatten(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => {
      const [kind, raw] = Object.entries(value)[0] ?? [];
      return [key, kind === "intValue" ? Number(raw) : raw];
    }),
  );
}

export interface OtlpReceiver {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** The Content-Type of every export request so far. */
  contentTypes: string[];
  close: () => Promise<void>;
}

/**
 * A stand-in for an OpenTelemetry collector's OTLP/HTTP port: POST /v1/traces, JSON decoded into
 * `spans` (a protobuf export is counted in `contentTypes` and answered, not decoded).
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const type = req.headers["content-type"] ?? "";
      contentTypes.push(type);
      if (req.url === "/v1/traces" && type.startsWith("application/json")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: {
            resource: { attributes: KeyValue[] };
            scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[];
          }[];
        };
        for (const { resource, scopeSpans } of body.resourceSpans) {
          for (const { scope, spans: list } of scopeSpans) {
            for (const span of list) {
              spans.push({
                ...(span as unknown as ReceivedSpan),
                scope: scope.name,
                attributes: flatten(span.attributes as KeyValue[]),
                events: ((span.events as { name: string; attributes: KeyValue[] }[]) ?? []).map(
                  (e) => ({ name: e.name, attributes: flatten(e.attributes) }),
                ),
                resource: flatten(resource.attributes),
              });
            }
          }
        }
      }
      res.setHeader(
        "Content-Type",
        type.startsWith("application/json") ? "application/json" : "application/x-protobuf",
      );
      res.end(type.startsWith("application/json") ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
