#!/usr/bin/env node
// `npm start`, `npm run routes`, …: build if needed, then run the compiled CLI with the same arguments.
"use strict";
const path = require("node:path");

require("./ensure-build.js").ensureBuild();
// Node 22.1+ caches compiled code between starts; Node 20 has no such API.
/** @type {{ enableCompileCache?: () => void }} */ (require("node:module")).enableCompileCache?.();
require(path.join(__dirname, "..", "dist", "src", "cli.js"));
