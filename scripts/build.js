#!/usr/bin/env node
// Compiles src/ and routes/ into dist/ from scratch (a deleted route must not survive in dist/),
// copies package.json files found in routes/ (they decide ESM vs CommonJS for .js routes), and
// stamps the build so `npm start` knows when to rebuild.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");

function copyPackageFiles(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules")
      copyPackageFiles(source, path.join(to, entry.name));
    else if (entry.name === "package.json") {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, entry.name));
    }
  }
}

/**
 * tsc leaves tsconfig `paths` aliases (`@lib/db`) as they are in its output, where nothing
 * resolves them: tsc-alias rewrites them into relative paths, as Next's bundler does.
 */
function rewriteAliases(tsconfig, outDir) {
  execFileSync(
    process.execPath,
    [require.resolve("tsc-alias/dist/bin/index.js"), "-p", tsconfig, "--outDir", outDir],
    { stdio: "inherit", cwd: path.dirname(tsconfig) },
  );
}

function build() {
  // The stamp carries the time the build started: a file saved during the build is newer, so stale.
  const started = new Date();
  // Compiled beside dist/ and swapped in by rename: a server or test running from dist/ never
  // sees it half-deleted, and a failed build leaves the last good one in place.
  const next = `${dist}.next-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "-p",
      path.join(root, "tsconfig.build.json"),
      "--outDir",
      next,
    ],
    { stdio: "inherit", cwd: root },
  );
  rewriteAliases(path.join(root, "tsconfig.build.json"), next);
  copyPackageFiles(path.join(root, "routes"), path.join(next, "routes"));
  const old = `${dist}.old-${process.pid}`;
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(next, dist);
  fs.rmSync(old, { recursive: true, force: true });
  // Validate every compiled route in place (they import "nextpress", i.e. dist/src) and record
  // them, so that `npm start` may import lazily. Only then is the build stamped: a failed check
  // leaves it unstamped, to be rebuilt, and with no manifest the server imports (and refuses) eagerly.
  execFileSync(process.execPath, [path.join(dist, "src", "cli.js"), "check", "--write-manifest"], {
    stdio: ["ignore", "ignore", "inherit"],
    cwd: root,
    env: { PATH: process.env.PATH, ROUTES_DIR: path.join(dist, "routes"), LOG_LEVEL: "silent" },
  });
  const stamp = path.join(dist, ".build-stamp");
  fs.writeFileSync(stamp, started.toISOString() + "\n");
  fs.utimesSync(stamp, started, started);
}

module.exports = { build, rewriteAliases };
if (require.main === module) build();
