import type { Database, Queryable } from "./database";

/** How long a request waits for a connection before the database counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * A pool of connections to the PostgreSQL server at `url` (node-postgres). Connections are made
 * on demand, so a server that goes away and comes back is used again without a restart.
 *
 * @example
 * const db = await openPostgresDatabase("postgres://app:secret@db:5432/app");
 */
export async function openPostgresDatabase(url: string): Promise<Database> {
  const { Pool } = (await import("pg")).default;
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server closes (a restart) emits "error" on the pool: without a
  // listener that would be an uncaught exception. The next query simply opens a new connection.
  pool.on("error", () => undefined);
  return {
    engine: "postgres",
    query: async <Row>(text: string, params: readonly unknown[] = []) => ({
      rows: (await pool.query(text, [...params])).rows as Row[],
    }),
    async transaction<T>(work: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("begin");
        const result = await work({
          query: async <Row>(text: string, params: readonly unknown[] = []) => ({
            rows: (await client.query(text, [...params])).rows as Row[],
          }),
        });
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch((failure: Error) => (broken = failure));
        throw error;
      } finally {
        client.release(broken); // a connection that cannot even roll back is discarded
      }
    },
    close: () => pool.end(),
  };
}
