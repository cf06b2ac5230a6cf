import { ApiError } from "nextpress";
import { Kysely, sql } from "kysely";
import { readDatabaseSettings } from "../settings";
import type { Database, Schema } from "./database";
import { isInvalidText, isUnavailable, isUniqueViolation, toLoggableError } from "./engine";
import { migrate } from "./migrations";
import { createPostgresDialect } from "./postgres";
import { openSqliteDialect, toDataDirError } from "./sqlite";

export type { Database, Schema } from "./database";

// One database per process, opened by instrumentation's register() (or the first query) and
// closed by its shutdown(). The settings are read when it opens, not when this module loads.
let opening: Promise<Database> | undefined;

async function open(): Promise<Database> {
  const settings = readDatabaseSettings();
  const dialect =
    settings.engine === "postgres"
      ? await createPostgresDialect(settings.url)
      : openSqliteDialect(settings.dataDir);
  const db = new Kysely<Schema>({ dialect });
  try {
    await migrate(db as Kysely<unknown>, settings.engine);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    // SQLite's first write happens here: a full disk or a read-only file shows up now.
    const sqliteError = typeof (error as { errcode?: unknown } | null)?.errcode === "number";
    throw settings.engine === "sqlite" && sqliteError
      ? toDataDirError(settings.dataDir, error)
      : error;
  }
  return { engine: settings.engine, db, close: () => db.destroy() };
}

/**
 * The database, opened and migrated on first call; a failed open is tried again by the next call.
 *
 * @example
 * const { db } = await openDatabase();
 * const users = await db.selectFrom("users").selectAll().execute();
 */
export function openDatabase(): Promise<Database> {
  opening ??= open().catch((error: unknown) => {
    opening = undefined;
    throw error;
  });
  return opening;
}

/**
 * What a request gets for a failed query: 409 for a duplicate, 400 for text the database refuses,
 * 503 while it is unreachable (or its disk full), and for anything else an error that names the
 * failure without the query's values (they are the user's data, and the error is logged).
 */
export function toRequestError(error: unknown, duplicateMessage = "Already exists"): unknown {
  if (error instanceof ApiError) return error;
  if (isUniqueViolation(error)) return new ApiError(409, duplicateMessage);
  if (isInvalidText(error)) return new ApiError(400, "The database refused the text given");
  if (isUnavailable(error))
    return new ApiError(503, "The database is unavailable: try again later");
  return toLoggableError(error);
}

/** Runs `work` on the database; its failures become toRequestError's answers. */
export async function query<T>(
  work: (db: Database) => Promise<T>,
  duplicateMessage?: string,
): Promise<T> {
  try {
    return await work(await openDatabase());
  } catch (error) {
    throw toRequestError(error, duplicateMessage);
  }
}

/** True when a trivial query answers: what /readyz reports (through instrumentation's ready()). */
export async function isDatabaseReady(): Promise<boolean> {
  const { db } = await openDatabase();
  await sql`select 1`.execute(db);
  return true;
}

/** Closes the database (instrumentation's shutdown()); the next openDatabase() opens it again. */
export async function closeDatabase(): Promise<void> {
  const current = opening;
  opening = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
