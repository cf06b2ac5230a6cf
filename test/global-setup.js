// Before any test worker starts: what the suites need from Debian (installed when missing, see
// scripts/ensure-system-packages.js), and dist/ built once for the suites that spawn the real server;
// the state of the project's ./data noted, so that the teardown can tell if a test wrote there.
module.exports = function globalSetup() {
  require("../scripts/node-version.js").refuseUnsupportedNode();
  require("../scripts/ensure-system-packages.js").ensureSystemPackages();
  require("../scripts/ensure-build.js").ensureBuild();
  require("./helpers/leftover-processes.js").forgetLeftovers();
  require("./helpers/project-data.js").rememberProjectData();
};
