// Loaded before every unit-tier test file (jest.config.js): a unit test must not start a process.
// One that does fails at once, with the fix, rather than passing here and failing on a machine
// without the system packages or the build.
/* global expect */
"use strict";
const childProcess = require("node:child_process");
const cluster = require("node:cluster");
const path = require("node:path");

const FIX =
  "starts a process, so it belongs to the system tier: use a helper from test/helpers/process.ts " +
  "(or list the file in SYSTEM_FILES in test/tiers.js)";

function refuse(name) {
  return function refused() {
    const { testPath } = expect.getState();
    const file = testPath ? path.relative(process.cwd(), testPath) : "this test";
    const error = new Error(`${file} ${FIX} (${name})`);
    error.stack = error.message;
    throw error;
  };
}

for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"])
  childProcess[name] = refuse(`child_process.${name}`);
cluster.fork = refuse("cluster.fork");
