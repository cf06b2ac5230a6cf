import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Kysely, sql } from "kysely";
import type { Schema } from "../../routes/_lib/database/database";
import { migrate } from "../../routes/_lib/database/migrations";
import { openSqliteDialect } from "../../routes/_lib/database/sqlite";

// routes/_lib/database/sqlite-driver.ts: group commit, and transactions that have the file to themselves.
let dir: string;
let db: Kysely<Schema>;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-driver-"));
  db = new Kysely<Schema>({ dialect: openSqliteDialect(dir) });
  await migrate(db as Kysely<unknown>, "sqlite");
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (email: string) =>
  db.insertInto("users").values({ name: "N", email }).returning("email").executeTakeFirstOrThrow();
const emails = async () =>
  (await db.selectFrom("users").select("email").orderBy("email").execute()).map((r) => r.email);

describe("the node:sqlite driver", () => {
  it("commits concurrent writes together, each failing or succeeding alone", async () => {
    const results = await Promise.allSettled([
      insert("a@example.com"),
      insert("b@example.com"),
      insert("A@example.com"), // the same email as the first: refused alone
      insert("c@example.com"),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(await emails()).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
  });

  it("keeps writes made during a transaction out of it: they stay when it rolls back", async () => {
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto("users").values({ name: "T", email: "tx@example.com" }).execute();
      inside();
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error("roll it back");
    });
    await started;
    const outside = Promise.all([insert("x@example.com"), insert("y@example.com")]);
    await expect(transaction).rejects.toThrow("roll it back");
    await outside;
    expect(await emails()).toEqual(["x@example.com", "y@example.com"]);
  });

  it("answers a write only once it is committed: a new connection reads it at once", async () => {
    await insert("seen@example.com");
    const other = new Kysely<Schema>({ dialect: openSqliteDialect(dir) });
    try {
      expect(await other.selectFrom("users").select("email").execute()).toEqual([
        { email: "seen@example.com" },
      ]);
    } finally {
      await other.destroy();
    }
  });

  it("prepares each SQL text once and runs it again with new parameters; past 200 texts the oldest goes", async () => {
    const prepare = jest.spyOn(DatabaseSync.prototype, "prepare");
    try {
      const byId = (id: number) =>
        db.selectFrom("users").select("email").where("id", "=", id).execute();
      await insert("one@example.com");
      await insert("two@example.com");
      prepare.mockClear();
      expect(await byId(1)).toEqual([{ email: "one@example.com" }]);
      expect(await byId(2)).toEqual([{ email: "two@example.com" }]);
      expect(await byId(3)).toEqual([]);
      expect(prepare).toHaveBeenCalledTimes(1);
      // A failed write leaves its cached statement usable: the next write with the same text runs.
      await expect(insert("ONE@example.com")).rejects.toThrow(/UNIQUE/);
      expect(await insert("three@example.com")).toEqual({ email: "three@example.com" });
      prepare.mockClear();
      for (let n = 1; n <= 200; n++)
        await db
          .selectFrom("users")
          .select(sql<number>`${sql.lit(n)}`.as("n"))
          .execute();
      expect(prepare).toHaveBeenCalledTimes(200);
      await byId(1); // its text was the oldest of the 200 kept: prepared again
      expect(prepare).toHaveBeenCalledTimes(201);
    } finally {
      prepare.mockRestore();
    }
  });
});
