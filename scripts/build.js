#!/usr/bin/env node
// Compiles src/ and routes/ into dist/ from scratch (a deleted route must not survive in dist/),
// copies package.json files found in routes/ (they decide ESM vs CommonJS for .js routes), and
// stamps the build so `npm start` knows when to rebuild.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");

function copyPackageFiles(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules")
      copyPackageFiles(source, path.join(to, entry.name));
    else if (entry.name === "package.json") {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, path.join(to, entry.name));
    }
  }
}

/**
 * The packages package.json's `nextpress.prebundle` names, each bundled into one file at
 * dist/node_modules/<name>, where Node finds it before the project's node_modules for everything
 * compiled into dist/ (and still one module for all of them). A package of many small files costs
 * its start-up time in loading them, not in running them: Kysely's 280 CommonJS files take ~85 ms
 * to load, as one file ~35 ms. Only a package's main entry is bundled, so a compiled file that
 * imports one of its subpaths stops the build (Node would not find it there). No native addons:
 * esbuild cannot bundle them.
 * @public
 * @param {string} outDir
 * @param {string[]} names
 */
function prebundle(outDir, names) {
  if (names.length === 0) return;
  const esbuild = require("esbuild");
  for (const name of names) {
    const pkgFile = packageFileOf(name);
    const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
    const dir = path.join(outDir, "node_modules", name);
    esbuild.buildSync({
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node22",
      outfile: path.join(dir, "index.js"),
      logLevel: "warning",
    });
    const stub = { name, version: pkg.version, license: pkg.license, main: "index.js" };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(stub, null, 2) + "\n");
    const licence = path.join(path.dirname(pkgFile), "LICENSE");
    if (fs.existsSync(licence)) fs.copyFileSync(licence, path.join(dir, "LICENSE"));
  }
  const subpath = new RegExp(`require\\("(${names.map(escapeRegExp).join("|")})/`);
  for (const file of compiledFiles(outDir)) {
    const match = subpath.exec(fs.readFileSync(file, "utf8"));
    if (match)
      throw new Error(
        `${path.relative(outDir, file)} imports a subpath of ${match[1]}, which package.json's nextpress.prebundle bundles by its main entry only: remove it from that list`,
      );
  }
}

/** The package.json of `name` as the project resolves it (many packages do not export it). */
function packageFileOf(name) {
  // Walk up from its main entry: folders inside a package may hold a package.json of their own.
  for (let dir = path.dirname(require.resolve(name, { paths: [root] })); ;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, "utf8")).name === name) return file;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prebundle: no package.json found for ${name}`);
    dir = parent;
  }
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Every .js file under `dir`, outside node_modules. */
function* compiledFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") yield* compiledFiles(file);
    else if (entry.isFile() && /\.[cm]?js$/.test(entry.name)) yield file;
  }
}

/**
 * tsc leaves tsconfig `paths` aliases (`@lib/db`) as they are in its output, where nothing
 * resolves them: tsc-alias rewrites them into relative paths, as Next's bundler does.
 */
function rewriteAliases(tsconfig, outDir) {
  execFileSync(
    process.execPath,
    [require.resolve("tsc-alias/dist/bin/index.js"), "-p", tsconfig, "--outDir", outDir],
    { stdio: "inherit", cwd: path.dirname(tsconfig) },
  );
}

function build() {
  // The stamp carries the time the build started: a file saved during the build is newer, so stale.
  const started = new Date();
  // Compiled beside dist/ and swapped in by rename: a server or test running from dist/ never
  // sees it half-deleted, and a failed build leaves the last good one in place.
  const next = `${dist}.next-${process.pid}`;
  fs.rmSync(next, { recursive: true, force: true });
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc"),
        "-p",
        path.join(root, "tsconfig.build.json"),
        "--outDir",
        next,
      ],
      { stdio: "inherit", cwd: root },
    );
    rewriteAliases(path.join(root, "tsconfig.build.json"), next);
    copyPackageFiles(path.join(root, "routes"), path.join(next, "routes"));
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    prebundle(next, manifest.nextpress?.prebundle ?? []);
  } catch (error) {
    // A type error or a failed step: nothing half-built is left beside dist/.
    fs.rmSync(next, { recursive: true, force: true });
    throw error;
  }
  const old = `${dist}.old-${process.pid}`;
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(next, dist);
  fs.rmSync(old, { recursive: true, force: true });
  // Validate every compiled route in place (they import "nextpress", i.e. dist/src) and record
  // them, so that `npm start` may import lazily. Only then is the build stamped: a failed check
  // leaves it unstamped, to be rebuilt, and with no manifest the server imports (and refuses) eagerly.
  execFileSync(process.execPath, [path.join(dist, "src", "cli.js"), "check", "--write-manifest"], {
    stdio: ["ignore", "ignore", "inherit"],
    cwd: root,
    env: { PATH: process.env.PATH, ROUTES_DIR: path.join(dist, "routes"), LOG_LEVEL: "silent" },
  });
  const stamp = path.join(dist, ".build-stamp");
  fs.writeFileSync(stamp, started.toISOString() + "\n");
  fs.utimesSync(stamp, started, started);
}

module.exports = { build, prebundle, rewriteAliases };
if (require.main === module) build();
