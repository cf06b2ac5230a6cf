// Suites that spawn the real server run dist/: build it once, before any worker starts.
module.exports = function globalSetup() {
  require("../scripts/ensure-build.js").ensureBuild();
};
