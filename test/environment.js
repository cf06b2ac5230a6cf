// jest's node environment, plus one guarantee: every process a test file started (through
// test/helpers/process.ts) and did not stop is stopped when the file ends, after its own afterAll
// hooks, whatever the outcome (pass, fail, timeout). jest then exits by itself.
"use strict";
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
  async teardown() {
    const running = this.global.__nextpressProcesses;
    if (running && running.size > 0) {
      const left = [...running];
      for (const spawned of left) if (spawned.child.pid !== undefined) signalGroup(spawned.child.pid, "SIGTERM");
      const timer = setTimeout(() => {
        for (const spawned of left) if (spawned.child.pid !== undefined) signalGroup(spawned.child.pid, "SIGKILL");
      }, STOP_GRACE_MS);
      await Promise.all(left.map((spawned) => spawned.exited));
      clearTimeout(timer);
    }
    await super.teardown();
  }
}

module.exports = NextpressTestEnvironment;
