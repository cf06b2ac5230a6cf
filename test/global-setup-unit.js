// Before the unit tier (test/tiers.js): no system package and no build, only the state of the
// project's ./data noted, so that the teardown can tell if a test wrote there.
module.exports = function globalSetupUnit() {
  require("./helpers/project-data.js").rememberProjectData();
};
