#!/usr/bin/env node
// What the system test tier needs from Debian: a real nginx (reverse-proxy tests), a real Chromium
// (the /docs page), a real PostgreSQL server (the users resource on PostgreSQL), a real Redis (rate
// limits across replicas). Installed with apt-get when missing and the tests run as root (a fresh
// container, CI). Otherwise each test that needs a missing one fails alone, with one line naming
// it (requireSystemPackage), and the others run. Services are never started by the install: each
// test starts its own server on a loopback port and stops it.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { findPostgresBin } = require("./local-postgres.js");

const hasAny = (binaries) => () => binaries.some((binary) => fs.existsSync(binary));

/** Each package, how to tell it is there, and which tests need it. */
const PACKAGES = [
  {
    name: "nginx-light",
    isInstalled: hasAny(["/usr/sbin/nginx", "/usr/bin/nginx"]),
    neededBy: "the reverse-proxy tests",
  },
  {
    name: "chromium",
    isInstalled: hasAny(["/usr/bin/chromium"]),
    neededBy: "the /docs browser test",
  },
  // /usr/lib/postgresql/<major>/bin: 15 on Debian 12, 17 on Debian 13.
  {
    name: "postgresql",
    isInstalled: () => findPostgresBin() !== undefined,
    neededBy: "the users CRUD tests on PostgreSQL",
  },
  {
    name: "redis-server",
    isInstalled: hasAny(["/usr/bin/redis-server"]),
    neededBy: "the rate-limit tests across replicas",
  },
];

const POLICY_RC = "/usr/sbin/policy-rc.d";

function missingPackages() {
  return PACKAGES.filter((pkg) => !pkg.isInstalled());
}

/** apt-get install, with Debian's maintainer scripts told not to start the services they install. */
function aptInstall(names) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const ownPolicy = !fs.existsSync(POLICY_RC);
  if (ownPolicy) fs.writeFileSync(POLICY_RC, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    execFileSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "inherit"] });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...names], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } finally {
    if (ownPolicy) fs.rmSync(POLICY_RC, { force: true });
  }
}

/**
 * As root with apt-get: installs what is missing, or exits 1 naming it; true when something was
 * installed. Otherwise does nothing: requireSystemPackage fails the tests that need a missing one.
 */
function ensureSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return false;
  const canInstall = process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");
  if (!canInstall) return false;
  const names = missing.map((pkg) => pkg.name);
  const why = missing.map((pkg) => `${pkg.name} (${pkg.neededBy})`).join(", ");
  process.stderr.write(`nextpress tests: installing ${why} from Debian's packages\n`);
  try {
    aptInstall(names);
  } catch (error) {
    process.stderr.write(
      `nextpress tests: apt-get install ${names.join(" ")} failed (${/** @type {Error} */ (error).message.split("\n")[0]})\n`,
    );
    process.exit(1);
  }
  const still = missingPackages();
  if (still.length > 0) {
    process.stderr.write(
      `nextpress tests: ${still.map((pkg) => pkg.name).join(", ")} still missing after apt-get install\n`,
    );
    process.exit(1);
  }
  return true;
}

/** For the test that needs `name`: throws one line naming the package and its install command. */
function requireSystemPackage(name, packages = PACKAGES) {
  const pkg = packages.find((candidate) => candidate.name === name);
  if (!pkg) throw new Error(`requireSystemPackage: unknown package ${name}`);
  if (pkg.isInstalled()) return;
  const error = new Error(
    `this test needs Debian's ${name} (${pkg.neededBy}): run \`sudo apt-get install -y ${name}\`, or run the tests as root to have it installed`,
  );
  error.stack = error.message; // one line in jest's report, no trace
  throw error;
}

module.exports = { ensureSystemPackages, requireSystemPackage, PACKAGES };
if (require.main === module) ensureSystemPackages();
