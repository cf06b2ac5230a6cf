// The project's ./data belongs to whoever runs `npm start` here: no test may create it. jest's
// global setup notes whether it exists, the global teardown fails the run if a test created it.
// (Changes to an existing ./data cannot be told from a dev server running beside the tests.)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const DATA = path.resolve(__dirname, "..", "..", "data");

function rememberProjectData() {
  globalThis.__nextpressProjectDataExisted = fs.existsSync(DATA);
}

function checkProjectData() {
  if (globalThis.__nextpressProjectDataExisted === false && fs.existsSync(DATA)) {
    throw new Error(
      `a test created ${DATA}: tests must use a throwaway DATA_DIR (test/environment.js, spawnProcess)`,
    );
  }
}

module.exports = { rememberProjectData, checkProjectData };
