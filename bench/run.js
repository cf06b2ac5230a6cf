#!/usr/bin/env node
// npm run bench [-- --quick] — nextpress's production stack against bare Express 5, measured in
// one run on this machine: req/s, p50/p99, peak RSS, route-count scaling and start-up, each as
// a ratio against its baseline with the target and PASS/FAIL. Then the sample's users resource:
// CRUD throughput on the embedded engine and on a PostgreSQL server the bench starts itself (when
// Debian's postgresql is installed), and what the embedded engine costs in start-up and memory.
// Loopback only, bounded in time; every process it starts is stopped by PID.
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { load, pinned, HAS_WRK, HAS_TASKSET } = require("./load");
const { freePort, getStatus } = require("./loopback");
const { makeTempRoot, writeFrameworkTree, writeRouteTree } = require("./route-trees");
const { crudLoadOptions, seedUsers } = require("./crud");
const { createLocalPostgres, findPostgresBin } = require("../scripts/local-postgres");

const ROOT = path.resolve(__dirname, "..");
const QUICK = process.argv.includes("--quick");
const ROUNDS = QUICK ? 3 : 5;
const SECONDS = QUICK ? 2 : 6;
const CONNECTIONS = 50;
const STARTUP_RUNS = QUICK ? 3 : 7;
// A new embedded database runs initdb (seconds): fewer runs.
const FRESH_RUNS = QUICK ? 1 : 3;
const USER_BODY = JSON.stringify({ name: "Ada", email: "ada@example.com" });
const TOKEN = "bench-token-4c7f0a";

const running = new Set();
const stopAll = () => {
  for (const child of running) child.kill("SIGKILL");
};
// Run, last first, when a measurement fails: servers stopped, PostgreSQL shut down, temp folders
// removed; then nothing keeps the process alive and it exits 1.
const cleanups = [];
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));



/** Starts a server pinned to core 0 and waits (≤ 20 s) until `probe` answers 200. */
async function startServer(name, script, env, probe) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [script]);
  const logFile = path.join(os.tmpdir(), `nextpress-bench-${name}-${port}.log`);
  const out = fs.openSync(logFile, "w");
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", out, out],
  });
  running.add(child);
  for (let i = 0; i < 400; i++) {
    if ((await getStatus(port, probe)) === 200) return { name, port, child, logFile };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`${name} did not start; see ${logFile}`);
}

async function stopServer(server) {
  server.child.kill("SIGTERM");
  await new Promise((resolve) => (server.child.exitCode !== null ? resolve() : server.child.once("exit", resolve)));
  running.delete(server.child);
  fs.rmSync(server.logFile, { force: true });
}

/** The process's peak resident set (VmHWM), in MB. */
function peakRssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The process's resident set now (VmRSS), in MB. */
function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/**
 * Spawn → first 200 on `url` (ms), and the resident set 500 ms later (MB), idle; then SIGTERM
 * and the exit awaited, so that a database is closed cleanly before the next run.
 */
async function measureStartAndMemory(script, env, url) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [script]);
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: "ignore",
  });
  running.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    for (let i = 0; i < 10_000; i++) {
      if ((await getStatus(port, url)) === 200) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        await sleep(500);
        return { ms, rss: rssMb(child.pid) };
      }
      if (child.exitCode !== null) throw new Error(`${script} exited during start-up`);
      await sleep(2);
    }
    throw new Error(`${script} did not answer ${url}`);
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  }
}

/** Spawn → first 200 on `url`, in ms. */
async function measureStartup(script, env, url) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [script]);
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: "ignore",
  });
  running.add(child);
  try {
    for (let i = 0; i < 4000; i++) {
      if ((await getStatus(port, url)) === 200) return Number(process.hrtime.bigint() - started) / 1e6;
      if (child.exitCode !== null) throw new Error(`${script} exited during start-up`);
      await sleep(2);
    }
    throw new Error(`${script} did not answer ${url}`);
  } finally {
    child.kill("SIGKILL");
    running.delete(child);
  }
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

async function main() {
  const distMain = path.join(ROOT, "dist", "src", "main.js");
  require(path.join(ROOT, "scripts", "ensure-build.js")).ensureBuild();
  const bare = path.join(__dirname, "servers", "bare-express.js");
  const tmp = makeTempRoot();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-logs-"));
  cleanups.push(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
  });
  console.log(
    `nextpress bench${QUICK ? " --quick" : ""}: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0].model}), ` +
      `${HAS_WRK ? "wrk" : "autocannon"}, ${HAS_TASKSET ? "server on core 0, load on core 1" : "unpinned"}, ` +
      `${ROUNDS} rounds × ${SECONDS}s, ${CONNECTIONS} connections`,
  );

  const trees = {};
  for (const kind of ["static", "dynamic"]) for (const count of [1, 100, 1000]) trees[`${kind}-${count}`] = writeRouteTree(tmp, kind, count);
  // The same 1,000 files without a manifest: every module imported at start-up.
  const eagerTree = writeRouteTree(path.join(tmp, "eager"), "static", 1000);
  // hello and a validated POST without a database: nextpress itself, against bare Express.
  const framework = writeFrameworkTree(tmp, ROOT);
  // The build step a deployment runs (npm run build does it for routes/): check every route, write the manifest.
  for (const tree of [...Object.values(trees), framework]) {
    execFileSync(process.execPath, [path.join(ROOT, "dist", "src", "cli.js"), "check", "--write-manifest"], {
      env: { PATH: process.env.PATH, ROUTES_DIR: tree.dir, LOG_LEVEL: "silent" },
      stdio: "ignore",
    });
  }

  // Production defaults: helmet headers, request ids, one info line per request written to a file.
  const npEnv = (extra) => ({ LOG_LEVEL: "info", NODE_ENV: "production", ...extra });
  const servers = {
    bare: await startServer("bare-express", bare, {}, "/api/hello"),
    nextpress: await startServer("nextpress", distMain, npEnv({ ROUTES_DIR: framework.dir }), "/api/hello"),
  };
  cleanups.push(async () => {
    for (const server of Object.values(servers)) if (server.child.exitCode === null) await stopServer(server);
  });
  for (const [key, tree] of Object.entries(trees)) servers[key] = await startServer(key, distMain, npEnv({ ROUTES_DIR: tree.dir }), tree.url);

  // The sample's users resource (dist/routes, instrumentation.ts): its embedded database in a temp
  // DATA_DIR; and, when Debian's postgresql is installed, on a PostgreSQL server of the bench's own,
  // pinned to the server's core (PGlite runs inside the server process). PGlite never calls fsync
  // (commits reach the OS, which survives a killed process, not a power cut); the nearest durability
  // a production PostgreSQL is run with is fsync on, synchronous_commit off (WAL flushed every 200 ms).
  const embeddedData = path.join(tmp, "data");
  // Created (initdb) by a first start of its own: the CRUD server's peak RSS is then the load's.
  const freshStarts = [await measureStartAndMemory(distMain, { DATA_DIR: embeddedData }, "/api/users?limit=1")];
  servers["crud-embedded"] = await startServer("crud-embedded", distMain, npEnv({ DATA_DIR: embeddedData, API_TOKENS: TOKEN }), "/readyz");
  let postgres;
  let postgresUrl;
  if (findPostgresBin()) {
    postgres = await createLocalPostgres({ settings: ["synchronous_commit=off"], wrap: (command, args) => pinned(0, command, args), onStart: (child) => running.add(child) });
    cleanups.push(() => postgres.destroy());
    await postgres.start();
    postgresUrl = await postgres.createDatabase("bench");
    servers["crud-postgres"] = await startServer("crud-postgres", distMain, npEnv({ DATABASE_URL: postgresUrl, API_TOKENS: TOKEN }), "/readyz");
  } else {
    console.log("  (no PostgreSQL in /usr/lib/postgresql: apt-get install postgresql for the PostgreSQL row)");
  }
  const crudEngines = ["embedded", ...(postgres ? ["postgres"] : [])];
  for (const engine of crudEngines) await seedUsers(servers[`crud-${engine}`].port, `seed-${engine}`);

  const scenarios = [
    { key: "hello:bare", server: "bare", url: "/api/hello" },
    { key: "hello:nextpress", server: "nextpress", url: "/api/hello" },
    { key: "post:bare", server: "bare", url: "/api/users", postBody: USER_BODY },
    { key: "post:nextpress", server: "nextpress", url: "/api/users", postBody: USER_BODY },
    ...Object.entries(trees).map(([key, tree]) => ({ key: `routes:${key}`, server: key, url: tree.url })),
    ...crudEngines.map((engine) => ({ key: `crud:${engine}`, server: `crud-${engine}`, crud: true })),
  ];
  const results = Object.fromEntries(scenarios.map((s) => [s.key, []]));
  const options = (s, seconds, tag) => ({
    url: `http://127.0.0.1:${servers[s.server].port}${s.url}`,
    seconds,
    connections: CONNECTIONS,
    postBody: s.postBody,
    ...(s.crud ? crudLoadOptions(servers[s.server].port, TOKEN, `${s.server}-${tag}`, tmp) : {}),
  });
  for (const s of scenarios) await load(options(s, 1, "warm-up"));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of scenarios) {
      const result = await load(options(s, SECONDS, `round-${round}`));
      if (result.non2xx > 0 || result.errors) throw new Error(`${s.key}: ${result.non2xx} non-2xx answers ${result.errors}`);
      results[s.key].push(result);
    }
    process.stdout.write(`  round ${round}/${ROUNDS} done\n`);
  }
  const rss = Object.fromEntries(["bare", "nextpress", ...crudEngines.map((e) => `crud-${e}`)].map((key) => [key, peakRssMb(servers[key].child.pid)]));
  for (const server of Object.values(servers)) await stopServer(server);

  // What the embedded engine costs: the sample with its database (an existing DATA_DIR, the one
  // just loaded; a new one, initdb included) against the framework tree without any, and with
  // PostgreSQL through the pg client instead.
  const cost = { none: [], warm: [], fresh: freshStarts, postgres: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    cost.none.push(await measureStartAndMemory(distMain, { ROUTES_DIR: framework.dir }, "/api/hello"));
    cost.warm.push(await measureStartAndMemory(distMain, { DATA_DIR: embeddedData }, "/api/users?limit=1"));
    if (postgres) cost.postgres.push(await measureStartAndMemory(distMain, { DATABASE_URL: postgresUrl }, "/api/users?limit=1"));
  }
  for (let i = 1; i < FRESH_RUNS; i++) cost.fresh.push(await measureStartAndMemory(distMain, { DATA_DIR: path.join(tmp, `fresh-${i}`) }, "/api/users?limit=1"));
  await postgres?.destroy();

  const startup = { bare: [], nextpress: [], eager: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    startup.bare.push(await measureStartup(bare, {}, "/api/hello"));
    startup.nextpress.push(await measureStartup(distMain, { ROUTES_DIR: trees["static-1000"].dir }, trees["static-1000"].url));
    startup.eager.push(await measureStartup(distMain, { ROUTES_DIR: eagerTree.dir }, eagerTree.url));
  }

  const m = (key, field) => median(results[key].map((r) => r[field]));
  console.log("\n| scenario | req/s | p50 ms | p99 ms |\n|---|---|---|---|");
  for (const s of scenarios.filter((s) => !s.crud)) console.log(`| ${s.key} | ${fmt(m(s.key, "requestsPerSec"))} | ${fmt(m(s.key, "p50"), 2)} | ${fmt(m(s.key, "p99"), 2)} |`);
  console.log(`\npeak RSS: bare Express ${fmt(rss.bare, 1)} MB, nextpress ${fmt(rss.nextpress, 1)} MB`);
  console.log(
    `start-up (spawn → first 200 on the last route, median of ${STARTUP_RUNS}): bare Express 1 route ${fmt(median(startup.bare))} ms, ` +
      `nextpress 1,000 routes ${fmt(median(startup.nextpress))} ms (checked by the build, imported on first use), ` +
      `${fmt(median(startup.eager))} ms without a manifest (all imported at start-up)`,
  );

  const startMs = (key) => median(cost[key].map((c) => c.ms));
  const idleMb = (key) => median(cost[key].map((c) => c.rss));
  console.log("\n| the users resource: CRUD mix (create, read, list, update, delete in turn) | req/s | p50 ms | p99 ms | peak RSS |\n|---|---|---|---|---|");
  for (const engine of crudEngines) {
    const label = engine === "embedded" ? "embedded (PGlite in DATA_DIR)" : "PostgreSQL 15 (pg; local, synchronous_commit=off)";
    console.log(`| ${label} | ${fmt(m(`crud:${engine}`, "requestsPerSec"))} | ${fmt(m(`crud:${engine}`, "p50"), 2)} | ${fmt(m(`crud:${engine}`, "p99"), 2)} | ${fmt(rss[`crud-${engine}`], 1)} MB |`);
  }
  if (postgres) console.log(`\nCRUD req/s, embedded vs PostgreSQL: ${fmt(m("crud:embedded", "requestsPerSec") / m("crud:postgres", "requestsPerSec"), 2)}x`);
  console.log(
    `\nthe embedded engine's cost (spawn → first 200, median of ${STARTUP_RUNS}; idle RSS 0.5 s later):\n` +
      `  without a database (hello + validated POST): ${fmt(startMs("none"))} ms, ${fmt(idleMb("none"), 1)} MB\n` +
      `  the sample on an existing DATA_DIR: ${fmt(startMs("warm"))} ms, ${fmt(idleMb("warm"), 1)} MB ` +
      `(+${fmt(startMs("warm") - startMs("none"))} ms, +${fmt(idleMb("warm") - idleMb("none"), 1)} MB)\n` +
      `  the sample on a new DATA_DIR (initdb, median of ${FRESH_RUNS}): ${fmt(startMs("fresh"))} ms, ${fmt(idleMb("fresh"), 1)} MB` +
      (postgres ? `\n  the sample on PostgreSQL (pg): ${fmt(startMs("postgres"))} ms, ${fmt(idleMb("postgres"), 1)} MB` : ""),
  );

  const ratio = (a, b) => m(a, "requestsPerSec") / m(b, "requestsPerSec");
  const targets = [
    ["GET /api/hello vs bare Express", ratio("hello:nextpress", "hello:bare"), ">=", 1.2, "x"],
    ["POST /api/users vs bare Express + express.json()", ratio("post:nextpress", "post:bare"), ">=", 1.2, "x"],
    ["1,000 static routes vs 1", ratio("routes:static-1000", "routes:static-1"), ">=", 0.95, "x"],
    ["1,000 dynamic [id] routes vs 1", ratio("routes:dynamic-1000", "routes:dynamic-1"), ">=", 0.95, "x"],
    ["start-up, 1,000 routes vs bare Express 1 route", median(startup.nextpress) / median(startup.bare), "<=", 2.6, "x"],
    ["peak RSS under load minus bare Express's", rss.nextpress - rss.bare, "<=", 15, " MB"],
    ["p99 latency, hello, vs bare Express", m("hello:nextpress", "p99") / m("hello:bare", "p99"), "<=", 1.0, "x"],
  ];
  console.log("\n| target | measured | goal | |\n|---|---|---|---|");
  let failed = 0;
  for (const [name, value, op, goal, unit] of targets) {
    const pass = op === ">=" ? value >= goal : value <= goal;
    if (!pass) failed++;
    console.log(`| ${name} | ${fmt(value, 2)}${unit} | ${op} ${goal}${unit} | ${pass ? "PASS" : "FAIL"} |`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(logDir, { recursive: true, force: true });
  if (failed > 0 && process.argv.includes("--strict")) process.exitCode = 1;
}

main().catch(async (error) => {
  console.error(error);
  process.exitCode = 1;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  stopAll();
});
