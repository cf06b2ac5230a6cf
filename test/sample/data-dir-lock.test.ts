import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DataDirBusyError, lockDataDir } from "../../routes/_lib/database/data-dir-lock";

// The embedded engine's lease on its folder (routes/_lib/database/data-dir-lock.ts).
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-lock-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockFile = () => path.join(dir, "nextpress.lock");
const leaseOf = (pid: number, host = os.hostname()) =>
  writeFileSync(lockFile(), JSON.stringify({ pid, host, token: "theirs" }));
const holder = () => JSON.parse(readFileSync(lockFile(), "utf8")) as { pid: number; token: string };

describe("lockDataDir", () => {
  it("writes a lease naming this process, and removes it on release", () => {
    const lock = lockDataDir(dir);
    expect(holder().pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it("refuses a folder a live process on this host holds, naming it", () => {
    leaseOf(process.ppid);
    expect(() => lockDataDir(dir)).toThrow(DataDirBusyError);
    expect(() => lockDataDir(dir)).toThrow(
      `DATA_DIR ${dir} is in use by process ${process.ppid} on ${os.hostname()}`,
    );
    expect(holder().token).toBe("theirs");
  });

  it("takes over a lease whose process is gone", () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    leaseOf(gone);
    const lock = lockDataDir(dir);
    expect(holder().pid).toBe(process.pid);
    lock.release();
  });

  it("respects a fresh lease from another host (a shared volume), and takes it once nobody touched it for 15 s", () => {
    leaseOf(1, "another-container");
    expect(() => lockDataDir(dir)).toThrow("in use by process 1 on another-container");
    const old = new Date(Date.now() - 16_000);
    utimesSync(lockFile(), old, old);
    const lock = lockDataDir(dir);
    expect(holder().pid).toBe(process.pid);
    lock.release();
  });

  it("leaves a lease it no longer holds alone on release", () => {
    const lock = lockDataDir(dir);
    leaseOf(process.ppid);
    lock.release();
    expect(holder().token).toBe("theirs");
  });
});
