import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./helpers/process";

const DIST_SRC = path.join(PROJECT_ROOT, "dist", "src");

/** Run, not imported: each of them starts its process when loaded (.dependency-cruiser.cjs lists them too). */
const ENTRY_POINTS = ["main.js", "cli.js", "healthcheck.js", "dev/worker-entry.js"];

/** Every compiled module of src/, relative to dist/src. */
function modules(dir = DIST_SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith(".js") ? [path.relative(DIST_SRC, full)] : [];
  });
}

// Loads each module in turn and reports what its loading added to the process: listeners on
// `process` (signals, messages, uncaught errors) and active handles or requests (timers, sockets).
// stdout and stderr are opened first: a library that looks at them (debug, through body-parser)
// would otherwise count as adding their pipe.
const PROBE = `
void process.stdout.fd, process.stderr.fd;
const files = JSON.parse(process.argv[1]);
const listeners = () => Object.fromEntries(process.eventNames().map((e) => [String(e), process.listenerCount(e)]));
const resources = () => process.getActiveResourcesInfo().sort().join(",");
const found = [];
for (const file of files) {
  const before = { listeners: JSON.stringify(listeners()), resources: resources() };
  require(require("node:path").join(${JSON.stringify(DIST_SRC)}, file));
  const after = { listeners: JSON.stringify(listeners()), resources: resources() };
  if (after.listeners !== before.listeners) found.push(file + ": process listeners " + before.listeners + " → " + after.listeners);
  if (after.resources !== before.resources) found.push(file + ": handles " + before.resources + " → " + after.resources);
}
process.stdout.write(JSON.stringify(found));
`;

describe("importing a module of src/", () => {
  it("adds no process listener, timer or handle: only the entry points start anything", () => {
    const files = modules().filter((file) => !ENTRY_POINTS.includes(file));
    expect(files.length).toBeGreaterThan(100);
    const found = execFileSync(process.execPath, ["-e", PROBE, JSON.stringify(files)], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(JSON.parse(found)).toEqual([]);
  });
});
