import pino, { type Logger } from "pino";
import type { LogLevel } from "./config";

/** Header values that must never reach a log line, wherever they are nested. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
  "headers.authorization",
  "headers.cookie",
  "authorization",
  "cookie",
];

/**
 * The process logger: JSON lines on stdout at `level`, credentials redacted.
 *
 * @example
 * const logger = createLogger("info");
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}
