import type { ChildProcess } from "node:child_process";
import { trackProcess } from "./process";
import { requireSystemPackage } from "./system-packages";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, shared with the benchmark
const { createLocalPostgres } = require("../../scripts/local-postgres.js") as {
  createLocalPostgres: (options: {
    onStart: (child: ChildProcess) => void;
  }) => Promise<LocalPostgres>;
};

/** A PostgreSQL server of the test's own (scripts/local-postgres.js), on a loopback port. */
export interface LocalPostgres {
  /** Starts (or starts again, on the same data) and waits until it answers. */
  start(): Promise<ChildProcess>;
  /** Fast shutdown; the data stays for start(). */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
  url(database?: string): string;
  /** A fresh empty database; its URL. */
  createDatabase(name: string): Promise<string>;
  readonly port: number;
}

/**
 * Initialises and starts a throwaway PostgreSQL from Debian's packages. Each server process is
 * tracked (test/helpers/process.ts), so it is stopped in every outcome; call destroy() in afterAll.
 */
export async function startPostgres(): Promise<LocalPostgres> {
  requireSystemPackage("postgresql");
  const postgres = await createLocalPostgres({ onStart: (child) => void trackProcess(child) });
  await postgres.start();
  return postgres;
}
