import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kysely, sql, type Migration } from "kysely";
import type { Engine } from "../../routes/_lib/database/engine";
import { createMigrations, migrate } from "../../routes/_lib/database/migrations";
import { createPostgresDialect } from "../../routes/_lib/database/postgres";
import { openSqliteDialect } from "../../routes/_lib/database/sqlite";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";

// routes/_lib/database/migrations.ts (Kysely's Migrator) on both engines.
let postgres: LocalPostgres;
const dirs: string[] = [];
const opened: Kysely<unknown>[] = [];
let databases = 0;

beforeAll(async () => (postgres = await startPostgres()), 60_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => postgres?.destroy(), 30_000);

const newSqliteDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-migrate-"));
  dirs.push(dir);
  return dir;
};

const track = (db: Kysely<unknown>) => {
  opened.push(db);
  return db;
};

const engines: [Engine, () => Promise<Kysely<unknown>>][] = [
  ["sqlite", async () => track(new Kysely({ dialect: openSqliteDialect(newSqliteDir()) }))],
  [
    "postgres",
    async () =>
      track(
        new Kysely({
          dialect: await createPostgresDialect(
            await postgres.createDatabase(`migrate_${++databases}`),
          ),
        }),
      ),
  ],
];

const names = Object.keys(createMigrations("sqlite"));
const tableExists = async (db: Kysely<unknown>, name: string) =>
  (await db.introspection.getTables()).some((table) => table.name === name);

describe.each(engines)("migrate() on %s", (engine, open) => {
  it("applies every step in name order on a new database, records each, and the schema is there", async () => {
    const db = await open();
    expect(await migrate(db, engine)).toEqual(names);
    const { rows } = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.map((row) => row.name)).toEqual(names);
    await sql`insert into users (name, email) values ('Ada', 'ada@example.com')`.execute(db);
    await expect(
      sql`insert into users (name, email) values ('Ada', 'ADA@example.com')`.execute(db),
    ).rejects.toThrow(/unique|duplicate/i);
  }, 60_000);

  it("is idempotent, and applies only the steps appended since", async () => {
    const db = await open();
    await migrate(db, engine);
    expect(await migrate(db, engine)).toEqual([]);
    const next: Record<string, Migration> = {
      ...createMigrations(engine),
      "0003_add_note": {
        up: (kysely) => kysely.schema.alterTable("users").addColumn("note", "text").execute(),
      },
    };
    expect(await migrate(db, engine, next)).toEqual(["0003_add_note"]);
    expect(await migrate(db, engine, next)).toEqual([]);
  }, 60_000);

  it("leaves nothing behind when a step fails: no table, nothing recorded", async () => {
    const db = await open();
    const broken: Record<string, Migration> = {
      "0001_a": { up: (kysely) => sql`create table a (x int)`.execute(kysely).then(() => {}) },
      "0002_b": {
        up: (kysely) => sql`create table b (x int, x int)`.execute(kysely).then(() => {}),
      },
    };
    await expect(migrate(db, engine, broken)).rejects.toThrow(
      /duplicate|specified more than once/i,
    );
    expect(await tableExists(db, "a")).toBe(false);
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from kysely_migration`.execute(db);
    expect(Number(rows[0].n)).toBe(0);
  }, 60_000);
});

describe("migrate() with replicas starting at once", () => {
  it("on PostgreSQL: 3 replicas apply each step once (the others wait on the lock, then find it done)", async () => {
    const url = await postgres.createDatabase("replicas");
    const replicas = await Promise.all(
      Array.from({ length: 3 }, async () =>
        track(new Kysely({ dialect: await createPostgresDialect(url) })),
      ),
    );
    const applied = await Promise.all(replicas.map((db) => migrate(db, "postgres")));
    expect(applied.flat().sort()).toEqual(names);
    expect(applied.filter((list) => list.length > 0)).toHaveLength(1);
  }, 60_000);

  it("takes over a PostgreSQL database an earlier nextpress migrated (schema_migrations), keeping its users", async () => {
    const db = track(
      new Kysely({
        dialect: await createPostgresDialect(await postgres.createDatabase("earlier")),
      }),
    );
    // What the hand-written runner of earlier versions created.
    await sql`create table schema_migrations (id text primary key, applied_at timestamptz not null default now())`.execute(
      db,
    );
    await sql`create table users (id bigint generated always as identity primary key, name text not null check (length(name) between 1 and 100), email text not null check (length(email) between 3 and 254), created_at timestamptz not null default now(), updated_at timestamptz not null default now())`.execute(
      db,
    );
    await sql`create unique index users_email_unique on users (lower(email))`.execute(db);
    await sql`insert into users (name, email) values ('Ada', 'ada@example.com')`.execute(db);
    expect(await migrate(db, "postgres")).toEqual(names);
    const { rows } = await sql<{ email: string }>`select email from users`.execute(db);
    expect(rows).toEqual([{ email: "ada@example.com" }]);
  }, 60_000);
});
