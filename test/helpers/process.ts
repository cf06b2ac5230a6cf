import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, shared with jest's global teardown
const { record, forget } = require("./leftover-processes.js") as {
  record: (pid: number) => void;
  forget: (pid: number) => void;
};

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** How long a process has to exit after SIGTERM before its group is killed. */
const STOP_GRACE_MS = 10_000;

/** Every process group started by this test file and not yet stopped: test/environment.js stops them when the file ends. */
const running: Set<Spawned> = ((
  globalThis as { __nextpressProcesses?: Set<Spawned> }
).__nextpressProcesses ??= new Set());

/**
 * Puts a process started elsewhere (nginx, redis-server, …) under the same guarantee as
 * spawnProcess: stopped after its test file in every outcome, killed by jest's global teardown
 * if its worker dies first. It should lead its own process group (`detached: true`).
 */
export function trackProcess(child: ChildProcess): Spawned {
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("close", (code) => resolve(code));
  });
  const spawned: Spawned = { child, stdout: () => "", stderr: () => "", exited };
  register(spawned);
  return spawned;
}

function register(spawned: Spawned): void {
  const pid = spawned.child.pid;
  if (pid === undefined) return;
  running.add(spawned);
  record(pid);
  void spawned.exited.then(() => {
    running.delete(spawned);
    forget(pid);
  });
}

/**
 * Starts a process with a clean environment plus `env`; everything it prints is kept. The sample
 * API keeps its users in DATA_DIR: unless `env` names one (or DATABASE_URL), the process gets a
 * throwaway folder of its own, removed once it exits, so tests never share data or write ./data.
 * It runs in the repository unless `cwd` says otherwise. The start-up cache is off unless `env`
 * sets START_CACHE.
 */
export function spawnProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  { cwd = PROJECT_ROOT }: { cwd?: string } = {},
): Spawned {
  const dataDir =
    env.DATA_DIR || env.DATABASE_URL
      ? undefined
      : mkdtempSync(path.join(os.tmpdir(), "nextpress-data-"));
  const child = spawn(command, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      // A start must not depend on what an earlier test's start cached (the cache's own test sets one).
      START_CACHE: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: `npm start` runs the server under `sh -c`, which does not pass signals on.
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  // "close": the process has exited and so has everything that shared its output (npm's children).
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => resolve(code)),
  ).finally(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const spawned = { child, stdout: () => out, stderr: () => err, exited };
  register(spawned);
  return spawned;
}

/** Resolves with the port from the server's "listening" log line. */
export async function waitForListening(spawned: Spawned, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /"port":(\d+)[^\n]*listening on/.exec(spawned.stdout());
    if (match) return Number(match[1]);
    if (spawned.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not start:\n${spawned.stdout()}\n${spawned.stderr()}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * SIGTERM to the whole process group (as a terminal's Ctrl-C or `docker stop` reaches it), then
 * the exit code; SIGKILL to the group if it is still there after STOP_GRACE_MS.
 */
export async function stopProcess(
  spawned: Spawned,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  const { child } = spawned;
  if (child.exitCode === null && child.signalCode === null) signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
  try {
    return await spawned.exited;
  } finally {
    clearTimeout(timer);
  }
}
