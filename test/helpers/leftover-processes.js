// A file per process group a test starts, under one folder per checkout: the safety net behind
// each suite's own afterAll (test/setup/stop-processes.ts). CommonJS: jest's global setup and
// teardown load it without a transform.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const DIR = path.join(
  os.tmpdir(),
  `nextpress-test-pids-${crypto
    .createHash("sha256")
    .update(path.resolve(__dirname, "..", ".."))
    .digest("hex")
    .slice(0, 12)}`,
);

function record(pid) {
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, String(pid)), "");
}

function forget(pid) {
  fs.rmSync(path.join(DIR, String(pid)), { force: true });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to every recorded process group still alive; returns their ids. */
function killLeftovers() {
  let pids = [];
  try {
    pids = fs.readdirSync(DIR).map(Number).filter(Number.isInteger);
  } catch {
    return [];
  }
  const killed = pids.filter(isAlive);
  for (const pid of killed) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
  fs.rmSync(DIR, { recursive: true, force: true });
  return killed;
}

/** A new run drops the records of processes that are gone (a concurrent run's live ones stay). */
function forgetLeftovers() {
  let pids = [];
  try {
    pids = fs.readdirSync(DIR).map(Number).filter(Number.isInteger);
  } catch {
    return;
  }
  for (const pid of pids) if (!isAlive(pid)) forget(pid);
}

module.exports = { record, forget, killLeftovers, forgetLeftovers };
