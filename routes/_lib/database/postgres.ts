import { PostgresDialect } from "kysely";

/** How long a request waits for a connection before the database counts as unreachable. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Kysely over a pool of connections to the PostgreSQL server at `url` (node-postgres).
 * Connections are made on demand, so a server that goes away and comes back is used again
 * without a restart.
 *
 * @example
 * const dialect = await createPostgresDialect("postgres://app:secret@db:5432/app");
 */
export async function createPostgresDialect(url: string): Promise<PostgresDialect> {
  // Imported here, not at the top: the embedded engine never loads the PostgreSQL client.
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
  return new PostgresDialect({ pool });
}
