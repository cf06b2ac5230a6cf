// The two test tiers, decided here and nowhere else (jest.config.js reads this file).
//
// - unit: in-process tests (createApp, supertest, loopback sockets). No system package, no dist/
//   build, no child process. Runs on every core: `npm run test:fast`.
// - system: tests that start real processes (the built server, nginx, PostgreSQL, Redis, Chromium,
//   the CLI, npm pack). Needs dist/ and Debian packages (test/global-setup.js): `npm run test:system`.
//
// A file is system when it is listed in SYSTEM_FILES or its text uses one of SYSTEM_MARKERS (and it
// is not listed in UNIT_FILES); otherwise it is unit. A new test file lands in a tier by itself. A unit test that starts a process
// anyway fails at once, naming this file (test/unit-guard.js).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/** What a test that needs the system tier uses: the helpers that start processes, and their kind. */
const SYSTEM_MARKERS = [
  /\bspawnProcess\b/, // test/helpers/process.ts
  /\bstartHostileServer\b/, // test/hostile/support.ts: the built server process
  /\bstartSampleServer\b/, // test/sample/support.ts: the built server with the sample routes
  /\bstartNginx\b|\bstartDeployedNginx\b|\bstartPlainNginx\b/, // test/helpers/nginx.ts
  /\bstartPostgres\b/, // test/helpers/postgres.ts
  /\bstartRedis\b/, // test/helpers/redis.ts
  /["'](node:)?child_process["']/,
  /["']playwright-core["']/,
  /["']dist["']/, // path.join(…, "dist", …): the build
];

/** System-tier files that no marker finds (relative to the repository, with a reason each). */
const SYSTEM_FILES = [];

/** Unit-tier files that mention a marker without starting anything. */
const UNIT_FILES = [
  "test/tiers.test.ts", // its table of examples holds the markers
];

/** True when a test file's text uses something only the system tier has. */
function needsSystem(text) {
  return SYSTEM_MARKERS.some((marker) => marker.test(text));
}

function isSystemTest(file) {
  const relative = path.relative(ROOT, path.resolve(ROOT, file)).split(path.sep).join("/");
  if (SYSTEM_FILES.includes(relative)) return true;
  if (UNIT_FILES.includes(relative)) return false;
  const text = fs.readFileSync(path.resolve(ROOT, file), "utf8");
  return needsSystem(text);
}

/** Every test file under test/ (fixtures excluded), relative to the repository. */
function listTestFiles(dir = path.join(ROOT, "test")) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "fixtures" && entry.name !== "node_modules")
        files.push(...listTestFiles(full));
    } else if (entry.name.endsWith(".test.ts")) {
      files.push(path.relative(ROOT, full).split(path.sep).join("/"));
    }
  }
  return files.sort();
}

function splitTiers() {
  const unit = [];
  const system = [];
  for (const file of listTestFiles()) (isSystemTest(file) ? system : unit).push(file);
  return { unit, system };
}

module.exports = {
  SYSTEM_FILES,
  UNIT_FILES,
  needsSystem,
  isSystemTest,
  listTestFiles,
  splitTiers,
};
