import path from "node:path";
import { z } from "zod";

/** Where the sample keeps its users: SQLite in a folder (DATA_DIR), or a PostgreSQL server. */
export type DatabaseSettings = Readonly<
  { engine: "sqlite"; dataDir: string } | { engine: "postgres"; url: string }
>;

// The sample's own configuration, beside its routes: nextpress itself knows nothing of databases.
const envSchema = z.object({
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      message: "expected postgres://user:password@host:5432/database",
    })
    .optional(),
});

/** The variables the sample reads (README's Configuration table lists them beside nextpress's own). */
export const SAMPLE_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads DATA_DIR and DATABASE_URL. With DATABASE_URL the sample uses that PostgreSQL server;
 * without it, SQLite in DATA_DIR (default `./data`, relative to the working directory).
 * Throws naming every bad variable, as nextpress's own configuration does.
 *
 * @example
 * readDatabaseSettings({ DATABASE_URL: "postgres://app:secret@db:5432/app" }); // { engine: "postgres", url }
 */
export function readDatabaseSettings(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): DatabaseSettings {
  // An empty variable means "unset", as in nextpress's configuration.
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]?.trim()])
      .filter(([, value]) => value),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${String(issue.path[0])}: ${issue.message}`,
    );
    throw new Error(`Invalid database configuration:\n${lines.join("\n")}`);
  }
  const { DATA_DIR, DATABASE_URL } = parsed.data;
  return Object.freeze(
    DATABASE_URL
      ? { engine: "postgres", url: DATABASE_URL }
      : { engine: "sqlite", dataDir: path.resolve(cwd, DATA_DIR) },
  );
}
