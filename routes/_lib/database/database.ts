/** One query shape over both engines: PGlite and node-postgres answer with `rows` alike. */
export interface Queryable {
  query<Row>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
}

/** An open database: the embedded engine (PGlite in DATA_DIR) or a PostgreSQL server (DATABASE_URL). */
export interface Database extends Queryable {
  readonly engine: "embedded" | "postgres";
  /** Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL's SQLSTATE, which both engines put on their errors as `code`. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A unique index refused the row (23505), e.g. a second user with the same email. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

// Connection-level failures: the server is down, restarting or unreachable (not a bad query).
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
]);

/** The database cannot be reached right now: the request should be retried later, not reported as a bug. */
export function isUnavailable(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect/.test(message);
}
