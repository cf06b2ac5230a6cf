import { Migrator, sql, type Kysely, type Migration } from "kysely";
import { identityColumn, now, timestampType, type Engine } from "./engine";

/**
 * The schema, one step at a time, by name in the order they apply. Append new steps; never edit
 * one that has shipped. Each is written for both engines (engine.ts holds what differs), and the
 * first two create only what is missing: a PostgreSQL database that an earlier nextpress migrated
 * (its own schema_migrations table) is taken over as it is.
 */
export function createMigrations(engine: Engine): Record<string, Migration> {
  return {
    "0001_create_users": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("users")
          .ifNotExists()
          .addColumn("id", identityColumn(engine))
          .addColumn("name", "text", (column) =>
            column.notNull().check(sql`length(name) between 1 and 100`),
          )
          .addColumn("email", "text", (column) =>
            column.notNull().check(sql`length(email) between 3 and 254`),
          )
          .addColumn("created_at", timestampType(engine), (column) =>
            column.notNull().defaultTo(now(engine)),
          )
          .addColumn("updated_at", timestampType(engine), (column) =>
            column.notNull().defaultTo(now(engine)),
          )
          .execute();
      },
    },
    // Enforced by the database, not by a read before the write: two sign-ups racing with one
    // email cannot both succeed.
    "0002_unique_user_email": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex("users_email_unique")
          .ifNotExists()
          .on("users")
          .unique()
          .expression(sql`lower(email)`)
          .execute();
      },
    },
  };
}

/**
 * Applies the migrations `db` has not recorded yet, in name order, in one transaction (Kysely's
 * Migrator: kysely_migration records them). Processes starting at once queue: on PostgreSQL on
 * an advisory lock, on SQLite on the write lock the transaction takes. Returns the names applied;
 * throws the failing step's error, leaving nothing of that run behind.
 *
 * @example
 * await migrate(db, "sqlite"); // ["0001_create_users", "0002_unique_user_email"] the first time, [] after
 */
export async function migrate(
  db: Kysely<unknown>,
  engine: Engine,
  migrations: Record<string, Migration> = createMigrations(engine),
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw error;
  return results.map((result) => result.migrationName);
}
