import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts a process with a clean environment plus `env`; everything it prints is kept. */
export function spawnProcess(command: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: `npm start` runs the server under `sh -c`, which does not pass signals on.
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  // "close": the process has exited and so has everything that shared its output (npm's children).
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
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

/** SIGTERM to the whole process group (as a terminal's Ctrl-C or `docker stop` reaches it), then the exit code. */
export async function stopProcess(spawned: Spawned): Promise<number | null> {
  const { child } = spawned;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  return spawned.exited;
}
