#!/usr/bin/env node
// `npm start`, `npm run routes`, …: rebuild dist/ when a source file, route file or build setting
// is newer than the last build (an added or removed file changes its folder's mtime), then run
// the compiled CLI with the same arguments.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const stamp = path.join(root, "dist", ".build-stamp");
const inputs = ["src", "routes", "tsconfig.json", "tsconfig.build.json", "package.json"];

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

if (isBuildStale()) {
  if (!fs.existsSync(path.join(root, "node_modules", "typescript"))) {
    process.stderr.write("nextpress: dist/ is missing or stale and TypeScript is not installed: run `npm ci` first\n");
    process.exit(1);
  }
  require("./build.js");
}
require(path.join(root, "dist", "src", "cli.js"));
