import type { ColumnType, Generated, Kysely } from "kysely";
import type { Engine } from "./engine";

/** The users table as both drivers read it (engine.ts turns each value into the wire's shape). */
export interface UsersTable {
  /** bigint in PostgreSQL (pg: a string), integer in SQLite (a number). */
  id: Generated<number | string>;
  name: string;
  email: string;
  /** timestamptz in PostgreSQL (pg: a Date), ISO 8601 text in SQLite. */
  created_at: ColumnType<Date | string, never, never>;
  updated_at: ColumnType<Date | string, never, Date | string>;
}

export interface Schema {
  users: UsersTable;
}

/** An open database: SQLite in DATA_DIR or a PostgreSQL server (DATABASE_URL), behind one Kysely. */
export interface Database {
  readonly engine: Engine;
  readonly db: Kysely<Schema>;
  close(): Promise<void>;
}
