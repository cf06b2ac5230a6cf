import { closeDatabase, isDatabaseReady, openDatabase } from "./routes/_lib/database";

// nextpress calls these (docs/guide.md: "instrumentation.ts"); the database itself is the sample's, in routes/_lib.

/** Before the routes load: open the database and apply its migrations, or stop start-up saying why. */
export async function register() {
  await openDatabase();
}

/** GET /readyz: 503 while the database does not answer (PostgreSQL down). */
export function ready() {
  return isDatabaseReady();
}

/** After the last request: close the pool, or the SQLite file (which then folds its WAL in). */
export function shutdown() {
  return closeDatabase();
}
