import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kysely, sql } from "kysely";
import { ApiError } from "../../src/errors";
import { toRequestError } from "../../routes/_lib/database";
import type { Schema } from "../../routes/_lib/database/database";
import {
  isInvalidText,
  isUniqueViolation,
  toBoolean,
  toIsoString,
  toLoggableError,
  toNumber,
  type Engine,
} from "../../routes/_lib/database/engine";
import { migrate } from "../../routes/_lib/database/migrations";
import { createPostgresDialect } from "../../routes/_lib/database/postgres";
import { openSqliteDialect } from "../../routes/_lib/database/sqlite";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";

// routes/_lib/database/engine.ts: what SQLite and PostgreSQL answer differently, read on both.
let postgres: LocalPostgres;
let dir: string;
const databases: Partial<Record<Engine, Kysely<Schema>>> = {};

beforeAll(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-engine-"));
  databases.sqlite = new Kysely<Schema>({ dialect: openSqliteDialect(dir) });
  databases.postgres = new Kysely<Schema>({
    dialect: await createPostgresDialect(await postgres.createDatabase("engine")),
  });
  for (const [engine, db] of Object.entries(databases))
    await migrate(db as Kysely<unknown>, engine as Engine);
}, 60_000);
afterAll(async () => {
  await Promise.all(Object.values(databases).map((db) => db.destroy()));
  rmSync(dir, { recursive: true, force: true });
  await postgres?.destroy();
}, 30_000);

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe.each(["sqlite", "postgres"] as const)("on %s", (engine) => {
  const db = () => databases[engine] as Kysely<Schema>;

  it("a new row reads back as the wire shows it: a numeric id, ISO timestamps, a numeric count", async () => {
    const row = await db()
      .insertInto("users")
      .values({ name: "Ada", email: `ada.${engine}@example.com` })
      .returning(["id", "created_at", "updated_at"])
      .executeTakeFirstOrThrow();
    expect(typeof toNumber(row.id)).toBe("number");
    expect(toNumber(row.id)).toBeGreaterThan(0);
    expect(toIsoString(row.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(toIsoString(row.created_at)) - Date.now())).toBeLessThan(60_000);
    const { total } = await db()
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number | string>().as("total"))
      .executeTakeFirstOrThrow();
    expect(toNumber(total)).toBeGreaterThanOrEqual(1);
  });

  it("a boolean reads back as a boolean", async () => {
    const { rows } = await sql<{
      yes: boolean | number;
      no: boolean | number;
    }>`select 1 = 1 as yes, 1 = 0 as no`.execute(db());
    expect([toBoolean(rows[0].yes), toBoolean(rows[0].no)]).toEqual([true, false]);
  });

  it("a duplicate email is a unique violation, and a 409 for the request", async () => {
    const insert = () =>
      db()
        .insertInto("users")
        .values({ name: "Twin", email: `twin.${engine}@example.com` })
        .execute();
    await insert();
    const error = await caught(insert());
    expect(isUniqueViolation(error)).toBe(true);
    expect(toRequestError(error, "taken")).toMatchObject({ statusCode: 409, message: "taken" });
  });

  it("a failed query's loggable error names the failure, never the row's values", async () => {
    const error = await caught(
      db().insertInto("users").values({ name: "Secret Agent", email: "x" }).execute(),
    );
    const logged = toRequestError(error);
    expect(logged).toBeInstanceOf(Error);
    expect(logged).not.toBeInstanceOf(ApiError);
    expect(
      JSON.stringify({
        ...(logged as object),
        message: (logged as Error).message,
        stack: (logged as Error).stack,
      }),
    ).not.toMatch(/Secret Agent/);
    expect((logged as Error).message).toMatch(/check|23514/i);
  });
});

describe("on postgres only", () => {
  it("text PostgreSQL refuses (a NUL byte) is invalid text, and a 400 for the request", async () => {
    const error = await caught(
      (databases.postgres as Kysely<Schema>)
        .insertInto("users")
        .values({ name: "a\u0000b", email: "nul@example.com" })
        .execute(),
    );
    expect(isInvalidText(error)).toBe(true);
    expect(toRequestError(error)).toMatchObject({ statusCode: 400 });
  });

  it("without toLoggableError the driver's error would carry the row (the reason it exists)", async () => {
    const error = await caught(
      (databases.postgres as Kysely<Schema>)
        .insertInto("users")
        .values({ name: "Secret Agent", email: "x" })
        .execute(),
    );
    expect(JSON.stringify(error)).toMatch(/Secret Agent/);
    expect(JSON.stringify(toLoggableError(error))).not.toMatch(/Secret Agent/);
  });
});
