// `next start` for the bench's comparisons, serving the same files as nextpress: the app route
// handler, and 1,000 raw .ts pages/api routes (start-up). Each a Next project in a cache folder
// (outside the repo), next/react installed from the npm registry once, built once. { skipped }
// with the reason when Next cannot be installed or built here.
"use strict";
const { execFileSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { WEB_ROUTE_ESM } = require("./route-trees");

const NEXT_VERSION = "16";
const CACHE_ROOT = path.join(os.homedir() || os.tmpdir(), ".cache", "nextpress-bench");

function run(command, args, cwd, timeoutMs) {
  execFileSync(command, args, {
    cwd,
    stdio: "ignore",
    timeout: timeoutMs,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CI: "1" },
  });
}

/**
 * A Next project in the cache folder `name`, written by `write(dir)`, installed and built once
 * (again when `write`'s files change: `key` names them). Returns its folder and how to start it,
 * or { skipped: reason }.
 * @param {string} name
 * @param {string} key
 * @param {(dir: string) => void} write
 * @param {string[]} [packages] installed besides next, react and react-dom
 * @returns {{ dir: string, script: string, version: string, skipped?: undefined }
 *   | { skipped: string, dir?: undefined, script?: undefined, version?: undefined }}
 */
function prepareProject(name, key, write, packages = []) {
  const dir = path.join(CACHE_ROOT, `next-${NEXT_VERSION}${name}`);
  const stamp = path.join(dir, ".nextpress-bench-key");
  try {
    const current =
      fs.existsSync(path.join(dir, ".next", "BUILD_ID")) &&
      fs.existsSync(stamp) &&
      fs.readFileSync(stamp, "utf8") === key;
    if (!current) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: `nextpress-bench-next${name}`, private: true }),
      );
      fs.writeFileSync(path.join(dir, "next.config.js"), "module.exports = {};\n");
      write(dir);
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
          ...packages,
        ],
        dir,
        300_000,
      );
      run(
        process.execPath,
        [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "build"],
        dir,
        600_000,
      );
      fs.writeFileSync(stamp, key);
    }
    const version = JSON.parse(
      fs.readFileSync(path.join(dir, "node_modules", "next", "package.json"), "utf8"),
    ).version;
    return { dir, script: path.join(dir, "node_modules", "next", "dist", "bin", "next"), version };
  } catch (error) {
    return {
      skipped: `next@${NEXT_VERSION} could not be installed or built here (${String(/** @type {Error} */ (error).message).split("\n")[0]})`,
    };
  }
}

/** `next start` serving the bench's app route handler (web-hello). */
function prepareNext() {
  return prepareProject("", "web-hello 1", (dir) => {
    fs.mkdirSync(path.join(dir, "app", "api", "web-hello"), { recursive: true });
    fs.writeFileSync(path.join(dir, "app", "api", "web-hello", "route.js"), WEB_ROUTE_ESM);
  });
}

/**
 * `next start` serving a routes folder's files as its pages/api (the start-up comparison: the
 * same raw .ts files nextpress serves without a build).
 * @param {string} routesDir
 */
function prepareNextPages(routesDir) {
  const hash = createHash("sha256");
  for (const file of fs.readdirSync(routesDir).sort())
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(routesDir, file)));
  const key = `pages ${hash.digest("hex")}`;
  return prepareProject(
    "-pages",
    key,
    (dir) => fs.cpSync(routesDir, path.join(dir, "pages", "api"), { recursive: true }),
    ["typescript", "@types/react", "@types/node"],
  );
}

module.exports = { prepareNext, prepareNextPages };
