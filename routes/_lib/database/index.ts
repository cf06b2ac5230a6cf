import { ApiError, loadConfig } from "nextpress";
import { readDatabaseSettings } from "../settings";
import { isUnavailable, type Database } from "./database";
import { DataDirBusyError } from "./data-dir-lock";
import { openEmbeddedDatabase } from "./embedded";
import { migrate } from "./migrations";
import { openPostgresDatabase } from "./postgres";

export { isUniqueViolation, type Database, type Queryable } from "./database";

// How long a request waits for an embedded folder another process still holds (the dev server's
// previous worker, which lets go when it exits) before it is answered 503.
const BUSY_WAIT_MS = 10_000;
const BUSY_POLL_MS = 100;

// One database per process, opened by instrumentation's register() (or the first query) and
// closed by its shutdown(). The settings are read when it opens, not when this module loads.
let opening: Promise<Database> | undefined;

async function open(): Promise<Database> {
  const settings = readDatabaseSettings();
  // WORKERS processes would queue on the folder's lease, all but one never ready: say so at start-up.
  const { workers } = loadConfig();
  if (settings.engine === "embedded" && workers > 1) {
    throw new Error(
      `WORKERS=${workers} starts ${workers} server processes, and the embedded database (DATA_DIR) serves one: set WORKERS=1, or DATABASE_URL to share a PostgreSQL server`,
    );
  }
  const db =
    settings.engine === "postgres"
      ? await openPostgresDatabase(settings.url)
      : await openEmbeddedDatabase(settings.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/**
 * The database, opened and migrated on first call; a failed open is tried again by the next call.
 *
 * @example
 * const { rows } = await (await openDatabase()).query("select count(*)::int as n from users");
 */
export function openDatabase(): Promise<Database> {
  opening ??= open().catch((error: unknown) => {
    opening = undefined;
    throw error;
  });
  return opening;
}

/**
 * The database for a request: waits a while for an embedded folder held by a process that is
 * leaving, and turns "cannot reach it" into 503 rather than a 500 bug report.
 */
export async function database(): Promise<Database> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    try {
      return await openDatabase();
    } catch (error) {
      if (error instanceof DataDirBusyError && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
        continue;
      }
      throw toRequestError(error);
    }
  }
}

/** 503 for a database that is down or busy; anything else stays what it is. */
export function toRequestError(error: unknown): unknown {
  return error instanceof DataDirBusyError || isUnavailable(error)
    ? new ApiError(503, "The database is unavailable: try again later")
    : error;
}

/** True when a trivial query answers: what /readyz reports (through instrumentation's ready()). */
export async function isDatabaseReady(): Promise<boolean> {
  const db = await openDatabase();
  await db.query("select 1");
  return true;
}

/** Closes the database (instrumentation's shutdown()); the next openDatabase() opens it again. */
export async function closeDatabase(): Promise<void> {
  const current = opening;
  opening = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
