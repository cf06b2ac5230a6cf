import { query, type Database } from "./database";
import { now, toIsoString, toNumber } from "./database/engine";

export interface User {
  id: number;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = ["id", "name", "email", "created_at", "updated_at"] as const;

interface UserRow {
  id: number | string;
  name: string;
  email: string;
  created_at: Date | string;
  updated_at: Date | string;
}

function toUser(row: UserRow): User {
  return {
    id: toNumber(row.id),
    name: row.name,
    email: row.email,
    createdAt: toIsoString(row.created_at),
    updatedAt: toIsoString(row.updated_at),
  };
}

const DUPLICATE_EMAIL = "A user with this email already exists";

/** Runs `work`: a duplicate email is a 409, an unreachable database a 503 (database/index.ts). */
const run = <T>(work: (database: Database) => Promise<T>) => query(work, DUPLICATE_EMAIL);

/** Inserts a user; the unique index on lower(email) refuses a second one with that email (409). */
export async function createUser(input: { name: string; email: string }): Promise<User> {
  const row = await run(({ db }) =>
    db
      .insertInto("users")
      .values({ name: input.name, email: input.email })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow(),
  );
  return toUser(row);
}

export async function findUser(id: number): Promise<User | undefined> {
  const row = await run(({ db }) =>
    db.selectFrom("users").select(COLUMNS).where("id", "=", id).executeTakeFirst(),
  );
  return row && toUser(row);
}

/** One page in id order, after `cursor` (an id); `nextCursor` when there are more. */
export async function listUsers({
  limit,
  cursor = 0,
}: {
  limit: number;
  cursor?: number;
}): Promise<{ users: User[]; total: number; nextCursor?: number }> {
  const [rows, count] = await run(({ db }) =>
    Promise.all([
      db
        .selectFrom("users")
        .select(COLUMNS)
        .where("id", ">", cursor)
        .orderBy("id")
        .limit(limit + 1)
        .execute(),
      db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number | string>().as("total"))
        .executeTakeFirstOrThrow(),
    ]),
  );
  const users = rows.slice(0, limit).map(toUser);
  return {
    users,
    total: toNumber(count.total),
    nextCursor: rows.length > limit ? users[users.length - 1].id : undefined,
  };
}

/** Changes the given fields in one statement; undefined when there is no such user. */
export async function updateUser(
  id: number,
  changes: { name?: string; email?: string },
): Promise<User | undefined> {
  const row = await run(({ db, engine }) =>
    db
      .updateTable("users")
      .set({ ...changes, updated_at: now(engine) })
      .where("id", "=", id)
      .returning(COLUMNS)
      .executeTakeFirst(),
  );
  return row && toUser(row);
}

/** False when there was no such user. */
export async function deleteUser(id: number): Promise<boolean> {
  const row = await run(({ db }) =>
    db.deleteFrom("users").where("id", "=", id).returning("id").executeTakeFirst(),
  );
  return row !== undefined;
}
