import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Database } from "../../routes/_lib/database";
import { openEmbeddedDatabase } from "../../routes/_lib/database/embedded";
import { MIGRATIONS, migrate } from "../../routes/_lib/database/migrations";
import { openPostgresDatabase } from "../../routes/_lib/database/postgres";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";

// routes/_lib/database/migrations.ts on both engines, straight through the adapter.
let postgres: LocalPostgres;
const dirs: string[] = [];
const opened: Database[] = [];
let databases = 0;

beforeAll(async () => (postgres = await startPostgres()), 60_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => postgres?.destroy(), 30_000);

const engines: [string, () => Promise<Database>][] = [
  [
    "the embedded engine",
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-migrate-"));
      dirs.push(dir);
      return openEmbeddedDatabase(dir);
    },
  ],
  [
    "PostgreSQL",
    async () => openPostgresDatabase(await postgres.createDatabase(`migrate_${++databases}`)),
  ],
];

const freshDatabase = async (open: () => Promise<Database>) => {
  const db = await open();
  opened.push(db);
  return db;
};

const ids = [...MIGRATIONS].map((m) => m.id);

describe.each(engines)("migrate() on %s", (_name, open) => {
  it("applies every step in id order on a new database, records each, and the schema is there", async () => {
    const db = await freshDatabase(open);
    expect(await migrate(db, [...MIGRATIONS].reverse())).toEqual(ids);
    expect(
      (
        await db.query<{ id: string }>("select id from schema_migrations order by applied_at, id")
      ).rows.map((row) => row.id),
    ).toEqual(ids);
    await db.query("insert into users (name, email) values ('Ada', 'ada@example.com')");
    await expect(
      db.query("insert into users (name, email) values ('Ada', 'ADA@example.com')"),
    ).rejects.toMatchObject({ code: "23505" });
  }, 60_000);

  it("is idempotent, and applies only the steps appended since", async () => {
    const db = await freshDatabase(open);
    await migrate(db);
    expect(await migrate(db)).toEqual([]);
    const next = { id: "0003_add_note", sql: "alter table users add column note text" };
    expect(await migrate(db, [...MIGRATIONS, next])).toEqual(["0003_add_note"]);
    expect(await migrate(db, [...MIGRATIONS, next])).toEqual([]);
    expect(
      (await db.query<{ n: number }>("select count(*)::int as n from schema_migrations")).rows,
    ).toEqual([{ n: 3 }]);
  }, 60_000);

  it("leaves nothing behind when a step fails: no table, nothing recorded", async () => {
    const db = await freshDatabase(open);
    const broken = [
      { id: "0001_a", sql: "create table a (x int)" },
      { id: "0002_b", sql: "create table b (x nonsense_type)" },
    ];
    await expect(migrate(db, broken)).rejects.toThrow(/nonsense_type/);
    expect(
      (await db.query("select to_regclass('a') as a, to_regclass('schema_migrations') as m")).rows,
    ).toEqual([{ a: null, m: null }]);
  }, 60_000);
});

describe("migrate() on PostgreSQL with replicas starting at once", () => {
  it("applies each step once: the advisory lock queues the others, which then find it done", async () => {
    const url = await postgres.createDatabase("replicas");
    const replicas = await Promise.all(Array.from({ length: 4 }, () => openPostgresDatabase(url)));
    opened.push(...replicas);
    const applied = await Promise.all(replicas.map((db) => migrate(db)));
    expect(applied.flat().sort()).toEqual(ids);
    expect(applied.filter((list) => list.length > 0)).toHaveLength(1);
  }, 60_000);
});
