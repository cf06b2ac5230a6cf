import pino, { type Logger } from "pino";
import type { LogFormat, LogLevel } from "./config";
import { markPlainStream } from "./http/log-line";

/** Header values that must never reach a log line, wherever they are nested. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
  "headers.authorization",
  "headers.cookie",
  "headers['set-cookie']",
  "authorization",
  "cookie",
];

/** Bound on what the asynchronous destination may hold when stdout is slower than the traffic. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

function prettyStream(): pino.DestinationStream | undefined {
  try {
    // An optional dev dependency: only `LOG_FORMAT=pretty` needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require("pino-pretty") as (options: object) => pino.DestinationStream;
    return pretty({
      colorize: process.stdout.isTTY,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
    });
  } catch {
    return undefined;
  }
}

/**
 * pino's asynchronous destination on stdout, holding the lines it has not written yet as bytes
 * (off the JavaScript heap) rather than as one growing string: under load that string, tens of
 * lines long while a write is in flight, survived every young-generation collection, and V8 grows
 * the young generation with what survives.
 */
function asyncStdout(): pino.DestinationStream {
  const stream = pino.destination({
    dest: 1,
    sync: false,
    maxLength: MAX_BUFFERED_BYTES,
    contentMode: "buffer",
  });
  // In "buffer" mode sonic-boom's write takes Buffers (typed as strings); pino and log-line.ts
  // write strings.
  const writeBytes = stream.write;
  stream.write = (line: string): boolean =>
    Reflect.apply(writeBytes, stream, [Buffer.from(line)]) === true;
  return stream;
}

/**
 * The process logger at `level`, credentials redacted. JSON lines through pino's asynchronous
 * destination (written in the background, flushed on exit), or human-readable lines with
 * `format: "pretty"` when pino-pretty is installed. `destination` replaces stdout (tests).
 *
 * @example
 * const logger = createLogger("info");
 */
export function createLogger(
  level: LogLevel,
  destination?: pino.DestinationStream,
  format: LogFormat = "json",
  mixin?: () => object,
): Logger {
  // `mixin`: fields for every line, such as the active trace's ids when tracing is on.
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    mixin,
  };
  const plain = (logger: Logger, stream: pino.DestinationStream): Logger => {
    if (!mixin) markPlainStream(logger, stream);
    return logger;
  };
  if (destination) return plain(pino(options, destination), destination);
  const pretty = format === "pretty" ? prettyStream() : undefined;
  const stream = pretty ?? asyncStdout();
  const logger = pretty ? pino(options, stream) : plain(pino(options, stream), stream);
  if (format === "pretty" && !pretty)
    logger.warn("LOG_FORMAT=pretty needs pino-pretty (npm i -D pino-pretty): logging JSON");
  return logger;
}
