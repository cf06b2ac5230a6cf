import { closeDatabase, isDatabaseReady, openDatabase } from "./routes/_lib/database";
import { DataDirBusyError } from "./routes/_lib/database/data-dir-lock";

// nextpress calls these (docs/guide.md: "instrumentation.ts"); the database itself is the sample's, in routes/_lib.

/** Before the routes load: open the database and apply its migrations, or stop start-up saying why. */
export async function register() {
  try {
    await openDatabase();
  } catch (error) {
    // The dev server's previous worker still holds the embedded folder: it lets go when it exits,
    // and the first query waits for that. Any other failure stops start-up.
    if (!(error instanceof DataDirBusyError)) throw error;
    console.warn(`${error.message}; waiting for it to exit`);
  }
}

/** GET /readyz: 503 while the database does not answer (PostgreSQL down, embedded folder busy). */
export function ready() {
  return isDatabaseReady();
}

/** After the last request: close the pool, or PGlite (which then writes its files cleanly). */
export function shutdown() {
  return closeDatabase();
}
