// `next start` serving the same route.ts as nextpress, for the bench's comparison: a Next project
// in a cache folder (outside the repo), next/react installed from the npm registry once, built
// once. Returns undefined, with the reason, when Next cannot be installed or built here.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { WEB_ROUTE_ESM } = require("./route-trees");

const NEXT_VERSION = "16";
const CACHE = path.join(
  os.homedir() || os.tmpdir(),
  ".cache",
  "nextpress-bench",
  `next-${NEXT_VERSION}`,
);

function run(command, args, cwd, timeoutMs) {
  execFileSync(command, args, {
    cwd,
    stdio: "ignore",
    timeout: timeoutMs,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CI: "1" },
  });
}

/**
 * The built project's folder and how to start it, or { skipped: reason }.
 * @returns {{ dir: string, script: string, version: string, skipped?: undefined }
 *   | { skipped: string, dir?: undefined, script?: undefined, version?: undefined }}
 */
function prepareNext() {
  const marker = path.join(CACHE, ".next", "BUILD_ID");
  try {
    if (!fs.existsSync(marker)) {
      fs.rmSync(CACHE, { recursive: true, force: true });
      fs.mkdirSync(path.join(CACHE, "app", "api", "web-hello"), { recursive: true });
      fs.writeFileSync(
        path.join(CACHE, "package.json"),
        JSON.stringify({ name: "nextpress-bench-next", private: true }),
      );
      fs.writeFileSync(path.join(CACHE, "next.config.js"), "module.exports = {};\n");
      fs.writeFileSync(path.join(CACHE, "app", "api", "web-hello", "route.js"), WEB_ROUTE_ESM);
      run(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--silent",
          `next@${NEXT_VERSION}`,
          "react",
          "react-dom",
        ],
        CACHE,
        300_000,
      );
      run(
        process.execPath,
        [path.join(CACHE, "node_modules", "next", "dist", "bin", "next"), "build"],
        CACHE,
        300_000,
      );
    }
    const version = JSON.parse(
      fs.readFileSync(path.join(CACHE, "node_modules", "next", "package.json"), "utf8"),
    ).version;
    return {
      dir: CACHE,
      script: path.join(CACHE, "node_modules", "next", "dist", "bin", "next"),
      version,
    };
  } catch (error) {
    return {
      skipped: `next@${NEXT_VERSION} could not be installed or built here (${String(/** @type {Error} */ (error).message).split("\n")[0]})`,
    };
  }
}

module.exports = { prepareNext };
