#!/usr/bin/env node
// Rebuilds dist/ when a source file, route file or build setting is newer than the last build
// (an added or removed file changes its folder's mtime). Used by `npm start`, the CLI and the
// test suite's global setup, so that nothing ever runs a stale build.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");
const inputs = [
  "src",
  "routes",
  "app",
  "instrumentation.ts",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
];

function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(target)) {
      if (name !== "node_modules") newest = Math.max(newest, newestMtime(path.join(target, name)));
    }
  }
  return newest;
}

function isBuildStale() {
  const built = newestMtime(stamp);
  return built === 0 || inputs.some((input) => newestMtime(path.join(root, input)) > built);
}

function ensureBuild() {
  if (!isBuildStale()) return false;
  if (!fs.existsSync(path.join(root, "node_modules", "typescript"))) {
    process.stderr.write(
      "nextpress: dist/ is missing or stale and TypeScript is not installed: run `npm ci` first\n",
    );
    process.exit(1);
  }
  require("./build.js").build();
  return true;
}

module.exports = { ensureBuild, isBuildStale };
if (require.main === module) ensureBuild();
