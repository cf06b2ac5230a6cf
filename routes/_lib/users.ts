import { ApiError } from "nextpress";
import { database, isUniqueViolation, toRequestError } from "./database";

export interface User {
  id: number;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  // bigint: node-postgres gives a string, PGlite a number.
  id: string | number;
  name: string;
  email: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, name, email, created_at, updated_at";

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    name: row.name,
    email: row.email,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Runs one statement; a duplicate email is a 409, an unreachable database a 503. */
async function run<Row = UserRow>(text: string, params: readonly unknown[]): Promise<Row[]> {
  const db = await database();
  try {
    return (await db.query<Row>(text, params)).rows;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError(409, "A user with this email already exists");
    throw toRequestError(error);
  }
}

/** Inserts a user; the unique index on lower(email) refuses a second one with that email (409). */
export async function createUser(input: { name: string; email: string }): Promise<User> {
  const [row] = await run(`insert into users (name, email) values ($1, $2) returning ${COLUMNS}`, [
    input.name,
    input.email,
  ]);
  return toUser(row);
}

export async function findUser(id: number): Promise<User | undefined> {
  const [row] = await run(`select ${COLUMNS} from users where id = $1`, [id]);
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
  const rows = await run(`select ${COLUMNS} from users where id > $1 order by id limit $2`, [
    cursor,
    limit + 1,
  ]);
  const [{ total }] = await run<{ total: number }>("select count(*)::int as total from users", []);
  const users = rows.slice(0, limit).map(toUser);
  return { users, total, nextCursor: rows.length > limit ? users[users.length - 1].id : undefined };
}

/** Changes the given fields in one statement; undefined when there is no such user. */
export async function updateUser(
  id: number,
  changes: { name?: string; email?: string },
): Promise<User | undefined> {
  const [row] = await run(
    `update users set name = coalesce($2, name), email = coalesce($3, email), updated_at = now() where id = $1 returning ${COLUMNS}`,
    [id, changes.name ?? null, changes.email ?? null],
  );
  return row && toUser(row);
}

/** False when there was no such user. */
export async function deleteUser(id: number): Promise<boolean> {
  return (await run("delete from users where id = $1 returning id", [id])).length === 1;
}
