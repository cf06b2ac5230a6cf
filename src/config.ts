import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors";
import { isSize, SIZE_MESSAGE } from "./size";

/** Where `npm start` looks when ROUTES_DIR is unset: the project's routes/, compiled beside this file. */
export const DEFAULT_ROUTES_DIR = path.resolve(__dirname, "..", "routes");

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const sizeString = z.string().refine(isSize, SIZE_MESSAGE);

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: "expected a port number" })
    .int("expected a whole number")
    .min(0, "expected a port from 0 to 65535")
    .max(65535, "expected a port from 0 to 65535")
    .default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  ROUTES_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  API_TOKENS: z.string().default(""),
  API_TOKENS_FILE: z.string().optional(),
  BODY_LIMIT: sizeString.default("1mb"),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the routes folder. */
  readonly routesDir: string;
  readonly logLevel: LogLevel;
  /** Bearer tokens accepted by `authenticate` (API_TOKENS and API_TOKENS_FILE); empty refuses everyone. */
  readonly apiTokens: readonly string[];
  /** Default body limit as written (it is repeated in the 413 message, as Next does). */
  readonly bodyLimit: string;
}

/**
 * Reads the configuration from the environment once, validated by one zod schema.
 * Throws a ConfigError naming every bad variable and what it accepts.
 *
 * @example
 * const config = loadConfig(); // process.env
 * const testConfig = loadConfig({ ROUTES_DIR: "test/fixtures/basic", LOG_LEVEL: "silent" });
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // An empty variable means "unset", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]?.trim()])
      .filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(present[name] ?? "")}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data;
  const fileTokens = values.API_TOKENS_FILE ? readTokensFile(path.resolve(cwd, values.API_TOKENS_FILE)) : [];
  return Object.freeze({
    port: values.PORT,
    host: values.HOST,
    routesDir: values.ROUTES_DIR ? path.resolve(cwd, values.ROUTES_DIR) : DEFAULT_ROUTES_DIR,
    logLevel: values.LOG_LEVEL,
    apiTokens: Object.freeze([
      ...new Set([
        ...values.API_TOKENS.split(",")
          .map((token) => token.trim())
          .filter(Boolean),
        ...fileTokens,
      ]),
    ]),
    bodyLimit: values.BODY_LIMIT,
  });
}

/** One token per line (a Docker secret); blank lines and `#` comments are skipped. */
function readTokensFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigError(`Invalid configuration:\n  API_TOKENS_FILE=${JSON.stringify(file)}: cannot read it (${reason})`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
