// jest's node environment, plus two guarantees: every process a test file started (through
// test/helpers/process.ts) and did not stop is stopped when the file ends, after its own afterAll
// hooks, whatever the outcome (pass, fail, timeout), and jest then exits by itself; and the sample
// API's database (DATA_DIR) is a throwaway folder of the file's own unless the file sets another.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");

const STOP_GRACE_MS = 10_000;

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

class NextpressTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-test-data-"));
    this.global.process.env.DATA_DIR = this.dataDir;
  }

  async teardown() {
    const running = this.global.__nextpressProcesses;
    if (running && running.size > 0) {
      const left = [...running];
      for (const spawned of left)
        if (spawned.child.pid !== undefined) signalGroup(spawned.child.pid, "SIGTERM");
      const timer = setTimeout(() => {
        for (const spawned of left)
          if (spawned.child.pid !== undefined) signalGroup(spawned.child.pid, "SIGKILL");
      }, STOP_GRACE_MS);
      await Promise.all(left.map((spawned) => spawned.exited));
      clearTimeout(timer);
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = NextpressTestEnvironment;
