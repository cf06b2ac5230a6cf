#!/usr/bin/env node
// `npm start`, `npm run routes`, …: build if needed, then run the compiled CLI with the same arguments.
"use strict";
const path = require("node:path");

require("./ensure-build.js").ensureBuild();
require(path.join(__dirname, "..", "dist", "src", "cli.js"));
