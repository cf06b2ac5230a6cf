import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { Dialect } from "kysely";
import { NodeSqliteDialect } from "./sqlite-driver";

/** The file the users live in, inside DATA_DIR. */
export const DATABASE_FILE = "nextpress.db";

/** How long a write waits for another process's transaction (WORKERS>1) before it fails. */
const BUSY_TIMEOUT_MS = 5_000;

/** A start-up failure of the embedded database: the message names the folder and the way out. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

// node:sqlite warns "experimental" on Node 22 when it loads: that one warning, and no other, is muted.
function loadSqlite(): typeof import("node:sqlite") {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
    if (String(warning).startsWith("SQLite is an experimental feature")) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with its warning muted (above)
    return require("node:sqlite") as typeof import("node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function prepareFolder(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    throw new DataDirError(
      `DATA_DIR ${dataDir} cannot be written (${reason(error)}): the embedded database keeps its file there. Make the folder writable by this process, or set DATA_DIR to one that is`,
    );
  }
  // An earlier nextpress kept its users in PGlite (PostgreSQL files) here: do not start empty beside them.
  if (existsSync(path.join(dataDir, "PG_VERSION"))) {
    throw new DataDirError(
      `DATA_DIR ${dataDir} holds a PGlite database from an earlier nextpress, which kept its users there. This version keeps them in ${DATABASE_FILE} (SQLite): export them with the earlier version (GET /api/users), then set DATA_DIR to an empty folder (docs/storage.md)`,
    );
  }
}

function openFile(file: string): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file);
  try {
    // WAL: readers never wait for the writer; FULL: a commit is on disk before it is answered.
    db.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("pragma journal_mode = wal");
    db.exec("pragma synchronous = full");
    db.exec("pragma foreign_keys = on");
    // Reads the header and schema: a damaged or foreign file fails here, before any write.
    db.exec("select count(*) from sqlite_schema");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Opens (or creates) `DATA_DIR/nextpress.db` for Kysely: WAL, synchronous=FULL, busy_timeout,
 * foreign keys on. Several processes on one host may share it (WORKERS>1). Throws DataDirError,
 * naming the folder, when it cannot be written or the file is not a sound SQLite database; a file
 * it cannot read is left as it is.
 *
 * @example
 * const dialect = openSqliteDialect("/app/data");
 */
export function openSqliteDialect(dataDir: string): Dialect {
  prepareFolder(dataDir);
  try {
    return new NodeSqliteDialect(openFile(path.join(dataDir, DATABASE_FILE)));
  } catch (error) {
    throw toDataDirError(dataDir, error);
  }
}

/** A failure to open or first write the file, as a DataDirError naming the folder and the way out. */
export function toDataDirError(dataDir: string, error: unknown): DataDirError {
  const errcode = (error as { errcode?: unknown }).errcode;
  const damaged = errcode === 11 || errcode === 26; // SQLITE_CORRUPT, SQLITE_NOTADB
  return new DataDirError(
    damaged
      ? `DATA_DIR ${dataDir}: ${DATABASE_FILE} is not a sound SQLite database (${reason(error)}). It was left as it is: restore it from a backup, or move it away to start with no users`
      : `DATA_DIR ${dataDir}: cannot open or write ${DATABASE_FILE} (${reason(error)}): check that the disk has room and the folder is writable`,
  );
}
