import { mkdirSync } from "node:fs";
import type { Database, Queryable } from "./database";
import { lockDataDir } from "./data-dir-lock";

/**
 * PostgreSQL in WebAssembly (PGlite), its files in `dataDir`: no server, no native build. Created
 * on first use (initdb, about 3 s), then opened in well under a second. One process at a time:
 * throws DataDirBusyError while another holds the folder.
 *
 * @example
 * const db = await openEmbeddedDatabase("/app/data");
 * await db.query("select 1");
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir);
  let pglite;
  try {
    // Imported here, not at the top: a server on DATABASE_URL never loads the 9 MB of WebAssembly.
    const { PGlite } = await import("@electric-sql/pglite");
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    lock.release();
    throw error;
  }
  const db = pglite;
  return {
    engine: "embedded",
    query: <Row>(text: string, params: readonly unknown[] = []) => db.query<Row>(text, [...params]),
    transaction: <T>(work: (tx: Queryable) => Promise<T>) =>
      db.transaction((tx) =>
        work({
          query: <Row>(text: string, params: readonly unknown[] = []) =>
            tx.query<Row>(text, [...params]),
        }),
      ),
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}
