// One fixed-shape log line (the request log's), written as pino would write it, without pino's
// generic per-key path: the per-request cost of the line is its fields and the write.
import pino, { type DestinationStream, type Logger } from "pino";

const needsMetadata = pino.symbols.needsMetadataGsym;

/** A value of a fixed-shape line (see createLineWriter); undefined fields are left out, as pino does. */
export type LineValue = string | number | boolean | undefined;

/** Loggers whose lines are plain JSON written to this stream: createLineWriter may write there itself. */
const plainStreams = new WeakMap<Logger, DestinationStream>();

/**
 * Marks `logger` (made by createLogger: no mixin, no custom formatters) as writing plain JSON
 * lines to `stream`; a stream that wants pino's metadata (a multistream) is left to pino.
 */
export function markPlainStream(logger: Logger, stream: DestinationStream): void {
  if (!(needsMetadata in stream)) plainStreams.set(logger, stream);
}

/**
 * Writes `logger[level](fields, msg)`'s line, byte for byte, without pino's generic path (key
 * lookups for serializers and redaction, which a line of plain strings and numbers never needs):
 * `{"level":30,"time":…,<fields>,"msg":…}`. Loggers with a mixin, pretty output or a stream that
 * wants pino's metadata go through pino itself.
 *
 * @example
 * const write = createLineWriter(logger, "request completed");
 * write("info", { reqId: "a1", status: 200 });
 */
export function createLineWriter(
  logger: Logger,
  msg: string,
): (level: "info" | "debug", fields: Readonly<Record<string, LineValue>>) => void {
  const stream = plainStreams.get(logger);
  if (!stream) return (level, fields) => logger[level](fields, msg);
  const tail = `,"msg":${JSON.stringify(msg)}}\n`;
  const levels = logger.levels.values;
  return (level, fields) => {
    if (!logger.isLevelEnabled(level)) return;
    let line = `{"level":${levels[level]},"time":${Date.now()}`;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      // JSON.stringify as pino: a string escaped, a non-finite number as null.
      line += `,"${key}":${typeof value === "number" && !Number.isFinite(value) ? "null" : JSON.stringify(value)}`;
    }
    stream.write(line + tail);
  };
}
