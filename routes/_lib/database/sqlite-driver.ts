import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import {
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from "kysely";

// Kysely's driver for node:sqlite's DatabaseSync, with group commit. With synchronous=FULL every
// commit waits for an fsync (milliseconds, on the server's thread): the writes that arrive while
// one batch commits are run together in the next transaction, each in a savepoint of its own (it
// fails or succeeds alone, as in autocommit), and all are answered after its one fsync. Reads run
// at once on committed data. An explicit transaction (Kysely's transaction(), the migrator) has
// the connection to itself: the others wait for its end.

interface Pending {
  query: CompiledQuery;
  resolve(result: QueryResult<unknown>): void;
  reject(error: unknown): void;
}

/** At most this many prepared statements are kept (an app has a few dozen distinct queries). */
const STATEMENT_CACHE_SIZE = 200;

interface Prepared {
  statement: StatementSync;
  /** True for a statement that returns rows (a select, or a write with `returning`). */
  returnsRows: boolean;
}

/**
 * The database's statements, each prepared once per SQL text (Kysely compiles the same text for
 * the same query shape): preparing parses and plans the SQL, the largest part of a point query's
 * cost. Past STATEMENT_CACHE_SIZE texts (queries built with varying shapes), the oldest goes.
 */
class Statements {
  private readonly cache = new Map<string, Prepared>();
  constructor(private readonly db: DatabaseSync) {}

  get(sql: string): Prepared {
    let prepared = this.cache.get(sql);
    if (prepared) return prepared;
    const statement = this.db.prepare(sql);
    prepared = { statement, returnsRows: statement.columns().length > 0 };
    if (this.cache.size >= STATEMENT_CACHE_SIZE)
      this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sql, prepared);
    return prepared;
  }

  /** Runs statements that take no parameters and return nothing (savepoints, begin, commit). */
  exec(sql: string): void {
    this.get(sql).statement.run();
  }

  execute({ sql, parameters }: CompiledQuery): QueryResult<unknown> {
    const { statement, returnsRows } = this.get(sql);
    const params = parameters as SQLInputValue[];
    if (returnsRows) return { rows: statement.all(...params) };
    const { changes, lastInsertRowid } = statement.run(...params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }
}

class Connection implements DatabaseConnection {
  constructor(private readonly driver: NodeSqliteDriver) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.run(this, query) as Promise<QueryResult<R>>;
  }
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (const row of rows) yield { rows: [row] };
  }
}

class NodeSqliteDriver implements Driver {
  private pending: Pending[] = [];
  private scheduled = false;
  /** The connection whose transaction is open, and the promise that settles when it ends. */
  private owner: Connection | undefined;
  private ended: Promise<void> = Promise.resolve();
  private endTransaction: () => void = () => undefined;
  private readonly statements: Statements;

  constructor(private readonly db: DatabaseSync) {
    this.statements = new Statements(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Connection(this);
  }

  async run(connection: Connection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (this.owner === connection) return this.statements.execute(query);
    while (this.owner) await this.ended;
    if (SelectQueryNode.is(query.query)) return this.statements.execute(query);
    return new Promise((resolve, reject) => {
      this.pending.push({ query, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.owner || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.owner) this.flush();
    });
  }

  /** Runs every pending write in one immediate transaction, each in a savepoint; answers after COMMIT. */
  private flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; result: QueryResult<unknown> } | { ok: false; error: unknown })[] =
      [];
    try {
      this.statements.exec("begin immediate");
      for (const { query } of batch) {
        this.statements.exec("savepoint write");
        try {
          outcomes.push({ ok: true, result: this.statements.execute(query) });
          this.statements.exec("release write");
        } catch (error) {
          this.statements.exec("rollback to write");
          this.statements.exec("release write");
          outcomes.push({ ok: false, error });
        }
      }
      this.statements.exec("commit");
    } catch (error) {
      if (this.db.isTransaction) this.db.exec("rollback");
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.owner) await this.ended;
    this.flush(); // the writes queued before it come first
    this.owner = connection as Connection;
    this.ended = new Promise((resolve) => (this.endTransaction = resolve));
    // Immediate: takes the write lock now, so a transaction that reads, then writes, never fails
    // half-way because another process wrote in between; it waits (busy_timeout) instead.
    this.db.exec("begin immediate");
  }

  async commitTransaction(): Promise<void> {
    try {
      this.db.exec("commit");
    } finally {
      this.release();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      if (this.db.isTransaction) this.db.exec("rollback");
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.owner = undefined;
    this.endTransaction();
    this.schedule();
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    while (this.owner) await this.ended;
    this.flush();
    this.db.close();
  }
}

// SQLite's DDL is transactional: the migrator then runs in one immediate transaction, so processes
// starting at once on one DATA_DIR apply each migration once (the others wait, then find it done).
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect over an open node:sqlite database. */
export class NodeSqliteDialect implements Dialect {
  constructor(private readonly db: DatabaseSync) {}
  createDriver(): Driver {
    return new NodeSqliteDriver(this.db);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
