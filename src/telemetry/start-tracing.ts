import { diag, DiagLogLevel, type DiagLogger } from "@opentelemetry/api";
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
} from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Logger } from "pino";
import type { TracingConfig } from "../config";

export interface Tracing {
  /** Exports the spans still buffered, then stops. Never rejects. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP exporter for the protocol; it reads its endpoint, headers, timeout and compression from OTEL_EXPORTER_OTLP_*. */
function createExporter(protocol: TracingConfig["protocol"]): SpanExporter {
  // Only the one asked for is loaded.
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (protocol === "http/json") {
    const { OTLPTraceExporter } =
      require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } =
    require("@opentelemetry/exporter-trace-otlp-proto") as typeof import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter();
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The SDK's own complaints (an export that failed, a bad OTEL_* value) as log lines, not console output. */
function diagnostics(logger: Logger): DiagLogger {
  const log =
    (level: "warn" | "error") =>
    (message: string, ...args: unknown[]) =>
      logger[level](
        { otel: args.length > 0 ? args.map(String) : undefined },
        `OpenTelemetry: ${message}`,
      );
  const ignore = () => undefined;
  return { error: log("error"), warn: log("warn"), info: ignore, debug: ignore, verbose: ignore };
}

/**
 * Starts OpenTelemetry's trace SDK for this process and registers it globally: W3C trace context
 * and baggage propagation, AsyncLocalStorage context, spans batched to the OTLP/HTTP exporter.
 * The SDK reads the standard variables itself: OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS/TIMEOUT/COMPRESSION,
 * OTEL_BSP_*. The spans themselves come from the request pipeline (middleware/trace-request.ts):
 * nothing is monkey-patched, so this may run after any module has loaded.
 *
 * @example
 * const tracing = startTracing({ protocol: "http/protobuf" }, logger);
 * await tracing.shutdown(); // on exit: flush
 */
export function startTracing(config: TracingConfig, logger: Logger): Tracing {
  diag.setLogger(diagnostics(logger), {
    logLevel: DiagLogLevel.WARN,
    suppressOverrideMessage: true,
  });
  const resource = defaultResource().merge(
    detectResources({ detectors: [envDetector, hostDetector, processDetector] }),
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(createExporter(config.protocol))],
  });
  provider.register();
  return {
    shutdown: () =>
      provider
        .shutdown()
        .catch((error: unknown) =>
          logger.warn({ err: error }, "OpenTelemetry: flushing spans on exit failed"),
        ),
  };
}
