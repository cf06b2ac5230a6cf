import type { Database } from "./database";

export interface Migration {
  /** Sorts in the order the migrations apply; recorded in schema_migrations once applied. */
  readonly id: string;
  readonly sql: string;
}

/** The schema, one step at a time. Append new steps; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: "0001_create_users",
    sql: `
      create table users (
        id bigint generated always as identity primary key,
        name text not null check (length(name) between 1 and 100),
        email text not null check (length(email) between 3 and 254),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`,
  },
  {
    // Enforced by the database, not by a read before the write: two sign-ups racing with one
    // email cannot both succeed.
    id: "0002_unique_user_email",
    sql: "create unique index users_email_unique on users (lower(email))",
  },
];

// Any constant: replicas starting at once queue on it, so only the first applies each step.
const MIGRATION_LOCK = 7_240_513;

/**
 * Applies the migrations `db` has not recorded yet, in id order, in one transaction that holds
 * an advisory lock (a second replica waits, then finds them applied). Idempotent; returns the
 * ids it applied.
 *
 * @example
 * await migrate(db); // ["0001_create_users", "0002_unique_user_email"] the first time, [] after
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(
      "create table if not exists schema_migrations (id text primary key, applied_at timestamptz not null default now())",
    );
    const { rows } = await tx.query<{ id: string }>("select id from schema_migrations");
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of ordered) {
      if (done.has(migration.id)) continue;
      await tx.query(migration.sql);
      await tx.query("insert into schema_migrations (id) values ($1)", [migration.id]);
      applied.push(migration.id);
    }
    return applied;
  });
}
