// A throwaway PostgreSQL server from Debian's packages (`postgresql`; binaries in
// /usr/lib/postgresql/<major>/bin), for the tests and the benchmark: initdb into a temp folder,
// then `postgres -D <dir> -p <port> -h 127.0.0.1 -k <dir>`, loopback only, trust auth, and by
// default (the tests') no fsync.
// postgres refuses to run as root: as root, it runs as the `postgres` user the package creates,
// with the folder chowned to it. Stopped by PID (SIGINT: fast shutdown), its folder removed.
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const { freePort } = require("./loopback");
const os = require("node:os");
const path = require("node:path");

const ROOT = "/usr/lib/postgresql";
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** The newest installed PostgreSQL's bin folder, or undefined. */
function findPostgresBin() {
  let majors = [];
  try {
    majors = fs.readdirSync(ROOT).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const bins = majors
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => path.join(ROOT, major, "bin"))
    .filter(
      (bin) => fs.existsSync(path.join(bin, "postgres")) && fs.existsSync(path.join(bin, "initdb")),
    );
  return bins[0];
}

/** As root, the `postgres` user's ids (spawn runs postgres as it); otherwise none. */
function runAs() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once the server accepts a connection and answers `select 1`. */
async function answers(url) {
  const { Client } = require("pg");
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A PostgreSQL server of its own: `await pg.start()` (after which `pg.url()` connects),
 * `await pg.stop()` (the folder is kept: start() again serves the same data), `await pg.destroy()`.
 * `onStart(child)` hears each server process started (the tests track it); `wrap(command, args)`
 * may put a command in front of postgres (the benchmark pins it to a core with taskset);
 * `settings` are postgres `-c` options.
 * @param {{
 *   bin?: string,
 *   onStart?: (child: import("node:child_process").ChildProcess) => void,
 *   wrap?: (command: string, args: string[]) => [string, string[]],
 *   settings?: string[],
 * }} [options]
 */
async function createLocalPostgres({
  bin = findPostgresBin(),
  onStart = () => undefined,
  wrap = (command, args) => [command, args],
  settings = ["fsync=off", "synchronous_commit=off", "full_page_writes=off"],
} = {}) {
  if (!bin) throw new Error("PostgreSQL is not installed: apt-get install postgresql");
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-pg-"));
  const data = path.join(dir, "data");
  if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid);
  execFileSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
    { ...user, stdio: "ignore", cwd: dir },
  );
  const port = await freePort();
  /** @type {(import("node:child_process").ChildProcess & { exited?: Promise<unknown> }) | undefined} */
  let child;

  const postgresBinary = path.join(bin, "postgres");
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;

  async function start() {
    const log = fs.openSync(path.join(dir, "postgres.log"), "a");
    if (user.uid !== undefined) fs.fchownSync(log, user.uid, user.gid);
    const options = settings.flatMap((setting) => ["-c", setting]);
    const [command, args] = wrap(postgresBinary, [
      "-D",
      data,
      "-p",
      String(port),
      "-h",
      "127.0.0.1",
      "-k",
      dir,
      ...options,
    ]);
    const started = spawn(command, args, {
      ...user,
      cwd: dir,
      stdio: ["ignore", log, log],
      detached: true,
    });
    fs.closeSync(log);
    child = Object.assign(started, {
      exited: new Promise((resolve) => started.once("exit", resolve)),
    });
    onStart(started);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) break;
      if (await answers(url())) return started;
      await sleep(100);
    }
    await stop();
    throw new Error(
      `PostgreSQL did not start:\n${fs.readFileSync(path.join(dir, "postgres.log"), "utf8").slice(-2000)}`,
    );
  }

  /** Fast shutdown (clients disconnected), SIGKILL after STOP_TIMEOUT_MS. */
  async function stop() {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill("SIGINT");
    const timer = setTimeout(() => running.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await running.exited;
    clearTimeout(timer);
  }

  async function destroy() {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  /** A fresh, empty database on this server; its URL. */
  async function createDatabase(name) {
    const { Client } = require("pg");
    const client = new Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
    return url(name);
  }

  return { start, stop, destroy, url, createDatabase, port, dir, pid: () => child?.pid };
}

module.exports = { createLocalPostgres, findPostgresBin };
