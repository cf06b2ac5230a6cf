import { randomUUID } from "node:crypto";
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The embedded engine is one process's: two PGlite instances on one folder silently lose each
// other's writes (no postmaster.pid check in WASM). A lease file says who holds it; the holder
// touches it every HEARTBEAT_MS. A lease is stale, and taken over, when its process is gone (same
// host), or when it was not touched for STALE_MS (another container on a shared volume).
const LOCK_FILE = "nextpress.lock";
const HEARTBEAT_MS = 2_000;
const STALE_MS = 15_000;

export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  token?: string;
}

/** The error of a folder held by a live process: the message names it. */
export class DataDirBusyError extends Error {
  constructor(dataDir: string, holder: Holder | undefined) {
    const who = holder ? `process ${holder.pid} on ${holder.host}` : "another process";
    super(
      `DATA_DIR ${dataDir} is in use by ${who}: the embedded database serves one process (set DATABASE_URL to share a PostgreSQL server)`,
    );
    this.name = "DataDirBusyError";
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(file: string, holder: Holder | undefined): boolean {
  // Our own pid in a lease we did not write: an earlier run, e.g. PID 1 of a restarted container.
  if (holder?.host === os.hostname() && (holder.pid === process.pid || !isAlive(holder.pid)))
    return true;
  try {
    return Date.now() - statSync(file).mtimeMs > STALE_MS;
  } catch {
    return true;
  }
}

/** Takes the folder's lease now, or throws DataDirBusyError while a live holder keeps it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  const token = randomUUID();
  const content = JSON.stringify({ pid: process.pid, host: os.hostname(), token });
  try {
    writeFileSync(file, content, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = readHolder(file);
    if (!isStale(file, holder)) throw new DataDirBusyError(dataDir, holder);
    rmSync(file, { force: true });
    writeFileSync(file, content, { flag: "wx" });
  }
  const isOurs = () => readHolder(file)?.token === token;
  const heartbeat = setInterval(() => {
    const now = new Date();
    if (isOurs()) utimesSync(file, now, now);
  }, HEARTBEAT_MS).unref();
  // A process that exits without closing the database (the dev server's retired worker) frees it at once.
  const release = () => {
    clearInterval(heartbeat);
    process.removeListener("exit", release);
    if (isOurs()) rmSync(file, { force: true });
  };
  process.once("exit", release);
  return { release };
}
