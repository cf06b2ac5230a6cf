// After every suite: any process a test started and that is still running (its worker crashed
// before its afterAll could stop it) is killed, so that jest exits and nothing outlives the run.
module.exports = function globalTeardown() {
  const killed = require("./helpers/leftover-processes.js").killLeftovers();
  if (killed.length > 0)
    process.stderr.write(
      `nextpress tests: killed ${killed.length} leftover process group(s): ${killed.join(", ")}\n`,
    );
  // Tests use throwaway DATA_DIRs (test/environment.js, spawnProcess): the project's own data is the developer's.
  require("./helpers/project-data.js").checkProjectData();
};
