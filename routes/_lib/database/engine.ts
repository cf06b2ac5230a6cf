import { sql, type RawBuilder } from "kysely";

// Where SQLite and PostgreSQL differ, in one place: what their drivers hand back (ids, counts,
// timestamps, booleans), how they say "duplicate" or "bad text", and the DDL that is not shared.

export type Engine = "sqlite" | "postgres";

/** The current time as each engine stores it: SQLite as ISO 8601 text (ms), PostgreSQL as timestamptz. */
export function now(engine: Engine): RawBuilder<Date | string> {
  return engine === "sqlite" ? sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))` : sql`now()`;
}

/** The DDL type of an id column that the database numbers itself, never reusing a number. */
export function identityColumn(engine: Engine): RawBuilder<unknown> {
  // AUTOINCREMENT: without it SQLite may hand out the id of the last row again once it is deleted.
  return engine === "sqlite"
    ? sql`integer primary key autoincrement`
    : sql`bigint generated always as identity primary key`;
}

/** The DDL type of a timestamp column. */
export function timestampType(engine: Engine): RawBuilder<unknown> {
  return engine === "sqlite" ? sql`text` : sql`timestamptz`;
}

/** A timestamp column as the wire shows it: `2025-01-01T12:00:00.000Z` (pg: Date, SQLite: text). */
export function toIsoString(value: Date | string): string {
  return new Date(value).toISOString();
}

/** An id or a count as a number: pg answers bigint and count(*) as strings, SQLite as numbers. */
export function toNumber(value: number | string | bigint): number {
  return Number(value);
}

/** A boolean column: PostgreSQL has booleans, SQLite stores 0 and 1. */
export function toBoolean(value: boolean | number): boolean {
  return value === true || value === 1;
}

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

// SQLite's extended result codes (node:sqlite puts them on `errcode`): https://sqlite.org/rescode.html
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_FULL = 13;
const SQLITE_BUSY = 5;

/** A unique index refused the row, e.g. a second user with the same email. */
export function isUniqueViolation(error: unknown): boolean {
  const errcode = field(error, "errcode");
  return (
    field(error, "code") === "23505" ||
    errcode === SQLITE_CONSTRAINT_UNIQUE ||
    errcode === SQLITE_CONSTRAINT_PRIMARYKEY
  );
}

/** The database refused the text itself (PostgreSQL: a NUL byte, 22021; untranslatable, 22P05). */
export function isInvalidText(error: unknown): boolean {
  const code = field(error, "code");
  return code === "22021" || code === "22P05";
}

// Connection-level failures: the server is down, restarting or unreachable (not a bad query);
// and a disk that is full (53100, SQLITE_FULL) or a database locked for longer than busy_timeout.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "53100",
]);

/** The database cannot take the request right now: retry later, not a bug to report. */
export function isUnavailable(error: unknown): boolean {
  const code = field(error, "code");
  if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  const errcode = field(error, "errcode");
  if (typeof errcode === "number" && [SQLITE_FULL, SQLITE_BUSY].includes(errcode & 0xff))
    return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect/.test(message);
}

/**
 * The error to log for a failed query: its code and, from SQLite, its message, which never quotes a
 * value. PostgreSQL's message and `detail` can quote the row or a parameter ("Failing row
 * contains (…)"), so only its SQLSTATE and the names of the constraint, table and column are kept.
 */
export function toLoggableError(error: unknown): Error {
  const errcode = field(error, "errcode");
  let message: string;
  if (typeof errcode === "number") {
    message = `SQLite error ${errcode}: ${error instanceof Error ? error.message : String(error)}`;
  } else {
    const names = ["constraint", "table", "column"]
      .map((name) => [name, field(error, name)])
      .filter(([, value]) => typeof value === "string")
      .map(([name, value]) => `${name} ${String(value)}`);
    const code = field(error, "code");
    message = `database error ${typeof code === "string" ? code : "(no code)"}`;
    if (names.length > 0) message += ` (${names.join(", ")})`;
  }
  return new Error(message);
}
