import path from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { createApp, type CreateAppOptions, type NextpressApp } from "../../src/app/create-app";
import { loadConfig } from "../../src/config";

const FIXTURES = path.join(__dirname, "..", "fixtures");

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** A logger whose JSON lines land in `lines`, so tests can assert on what was logged. */
export function captureLogger(level: pino.LevelWithSilent = "debug"): {
  logger: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
} {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      raw.push(...chunk.toString().split("\n").filter(Boolean));
      callback();
    },
  });
  const { createLogger } =
    jest.requireActual<typeof import("../../src/logger")>("../../src/logger");
  const logger = createLogger(level as never, stream);
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join("\n"),
  };
}

export interface TestApp extends NextpressApp {
  logs: ReturnType<typeof captureLogger>;
}

/** createApp over a fixture tree, logs captured, env as the server would read it; `options` as createApp takes them. */
export async function buildTestApp(
  name: string,
  env: Record<string, string> = {},
  options: Omit<CreateAppOptions, "logger"> = {},
): Promise<TestApp> {
  const logs = captureLogger();
  const config = loadConfig({ ROUTES_DIR: fixture(name), API_TOKENS: "test-token", ...env });
  const built = await createApp(config, { ...options, logger: logs.logger });
  return { ...built, logs };
}
