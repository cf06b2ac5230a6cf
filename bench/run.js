#!/usr/bin/env node
// npm run bench [-- --quick] — nextpress's production stack against bare Express 5, measured in
// one run on this machine: req/s, p50/p99, peak RSS, route-count scaling, start-up, app-router
// route handlers (against a bare node:http ceiling and `next start`), tracing and rate-limit costs
// and WORKERS scaling (1 vs 2 server processes, with their CPU per request), each as a ratio against
// its baseline with the target and PASS/FAIL. Then the sample's users resource: CRUD throughput on
// the embedded engine and on a PostgreSQL server the bench starts itself (when Debian's postgresql
// is installed), and what the embedded engine costs in start-up and memory.
// A full run writes its dated report into docs/performance.md (bench/report.js); `--report <file>`
// writes it elsewhere, also with --quick. Loopback only, bounded in time; every process it starts is stopped by PID.
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { load, pinned, HAS_WRK, HAS_TASKSET } = require("./load");
const { freePort, getStatus } = require("../scripts/loopback");
const { makeTempRoot, writeFrameworkTree, writeRouteTree, writeWebTree } = require("./route-trees");
const { prepareNext, prepareNextPages } = require("./next-server");
const { crudLoadOptions, seedUsers } = require("./crud");
const { measureWebSocketEcho } = require("./websocket");
const { measureUploads } = require("./uploads");
const { createLocalPostgres, findPostgresBin } = require("../scripts/local-postgres");
const { describeMachine, writeReport } = require("./report");
const { parseBenchArgs } = require("./args");
const { runWithRetry } = require("./retry");

const ROOT = path.resolve(__dirname, "..");
const ARGS = parseBenchArgs(process.argv.slice(2));
const QUICK = ARGS.quick;
// Where the dated report goes: docs/performance.md after a full run; a --quick run's numbers are
// too rough to publish, so it writes one only where `--report <file>` says.
let REPORT_FILE = ARGS.report ? path.resolve(ARGS.report) : undefined;
if (!ARGS.report && !QUICK) REPORT_FILE = path.join(ROOT, "docs", "performance.md");
const ROUNDS = ARGS.rounds ?? (QUICK ? 3 : 5);
const SECONDS = ARGS.seconds ?? (QUICK ? 2 : 6);
const CONNECTIONS = 50;
const STARTUP_RUNS = QUICK ? 3 : 7;
// A new embedded database: SQLite creates its file and the schema (milliseconds).
const FRESH_RUNS = STARTUP_RUNS;
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
// Stopped by a signal, the "exit" handler still stops every server, database and load generator it started.
process.on("SIGTERM", () => process.exit(143));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a server pinned to core 0 (unless `pin` is false) and waits (≤ 20 s) until `probe` answers 200. */
/**
 * @param {string} name
 * @param {string} script
 * @param {Record<string, string>} env
 * @param {string} probe
 * @param {{ pin?: boolean, args?: string[], cwd?: string }} [options]
 */
async function startServer(
  name,
  script,
  env,
  probe,
  { pin = true, args: extra = [], cwd = ROOT } = {},
) {
  const port = await freePort();
  const [command, args] = pin
    ? pinned(0, process.execPath, [script, ...extra])
    : [process.execPath, [script, ...extra]];
  const logFile = path.join(os.tmpdir(), `nextpress-bench-${name}-${port}.log`);
  const out = fs.openSync(logFile, "w");
  const child = spawn(command, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      HOSTNAME: "127.0.0.1",
      PORT: String(port),
      ...env,
    },
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
  await new Promise((resolve) =>
    server.child.exitCode !== null ? resolve(undefined) : server.child.once("exit", resolve),
  );
  running.delete(server.child);
  if (server.logFile) fs.rmSync(server.logFile, { force: true });
}

/** CPU time (user + system) used so far by a process and its children (cluster workers), in ms. */
function cpuMs(pid) {
  const ticks = (id) => {
    try {
      const fields = fs.readFileSync(`/proc/${id}/stat`, "utf8").split(") ")[1].split(" ");
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return 0;
    }
  };
  let children = [];
  try {
    children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children
  }
  return ([pid, ...children].reduce((sum, id) => sum + ticks(id), 0) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** The process's peak resident set (VmHWM), in MB. */
function peakRssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/** @type {RegExpExecArray} */ (/VmHWM:\s+(\d+)/.exec(status))[1]) / 1024;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The process's resident set now (VmRSS), in MB. */
function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/** @type {RegExpExecArray} */ (/VmRSS:\s+(\d+)/.exec(status))[1]) / 1024;
}

/**
 * Spawns `script` on a free port, pinned to the server's core, and polls `url` until it answers
 * 200: the child, its exit, and the ms from spawn. A child that never answers is killed here.
 */
async function spawnUntilAnswering(
  script,
  env,
  url,
  attempts,
  { args: extra = [], cwd = ROOT } = {},
) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [script, ...extra]);
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      HOSTNAME: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: "ignore",
  });
  running.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    for (let i = 0; i < attempts; i++) {
      if ((await getStatus(port, url)) === 200)
        return { child, exited, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      if (child.exitCode !== null) throw new Error(`${script} exited during start-up`);
      await sleep(2);
    }
    throw new Error(`${script} did not answer ${url}`);
  } catch (error) {
    child.kill("SIGKILL");
    running.delete(child);
    throw error;
  }
}

/**
 * Spawn → first 200 on `url` (ms), and the resident set 500 ms later (MB), idle; then SIGTERM
 * and the exit awaited, so that a database is closed cleanly before the next run.
 */
/** @typedef {Awaited<ReturnType<typeof measureStartAndMemory>>} StartCost */
/**
 * @typedef {{ key: string, server: string, url?: string, postBody?: string, crud?: boolean,
 *   timeoutSeconds?: number, pin?: boolean }} Scenario
 */

async function measureStartAndMemory(script, env, url) {
  const { child, exited, ms } = await spawnUntilAnswering(script, env, url, 10_000);
  try {
    await sleep(500);
    return { ms, rss: rssMb(child.pid) };
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  }
}

/** Spawn → first 200 on `url`, in ms. */
async function measureStartup(script, env, url, options) {
  const { child, ms } = await spawnUntilAnswering(script, env, url, 4000, options);
  child.kill("SIGKILL");
  running.delete(child);
  return ms;
}

/** The OTLP sink the traced server exports to, on the load generator's core. */
async function startSink() {
  const port = await freePort();
  const [command, args] = pinned(1, process.execPath, [
    path.join(__dirname, "servers", "otlp-sink.js"),
  ]);
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: "ignore",
  });
  running.add(child);
  for (let i = 0; i < 200 && (await getStatus(port, "/")) !== 200; i++) await sleep(25);
  return { name: "otlp-sink", port, child, logFile: "" };
}

/** A redis-server from Debian on a free loopback port, nothing persisted; undefined when it is not installed. */
async function startRedis() {
  if (!fs.existsSync("/usr/bin/redis-server")) return undefined;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-redis-"));
  const [command, args] = pinned(1, "/usr/bin/redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ]);
  const child = spawn(command, args, { stdio: "ignore" });
  running.add(child);
  child.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  await sleep(300);
  return { name: "redis", port, child, logFile: "" };
}

const CRUD_LABELS = {
  embedded: "embedded (SQLite in DATA_DIR, synchronous=FULL), pinned",
  "embedded-workers2": "embedded, WORKERS=2 (one file, two processes), unpinned",
  postgres: "PostgreSQL 15 (pg, pool of 10; local, fsync on), pinned with the server",
};
/** @param {string} engine @returns {string} */
const crudLabel = (engine) =>
  CRUD_LABELS[/** @type {keyof typeof CRUD_LABELS} */ (engine)] ?? engine;

/** A scenario's key as the report's table names it. */
function scenarioLabel(key, nextVersion) {
  const tree = /^routes:(static|dynamic)-(\d+)$/.exec(key);
  if (tree) {
    const count = Number(tree[2]);
    const kind = tree[1] === "static" ? "static route" : "dynamic `[id]` route";
    return `${kind}, ${count.toLocaleString("en-US")} file${count === 1 ? "" : "s"}`;
  }
  const labels = {
    "hello:bare": "GET /api/hello, bare Express 5",
    "hello:nextpress": "GET /api/hello, nextpress",
    "post:bare": "POST /api/users, bare Express 5 + express.json()",
    "post:nextpress": "POST /api/users, nextpress (zod-validated)",
    "web:pages route": "pages route, `res.status(200).json(…)`",
    "web:app route handler": "app route handler, `return Response.json(…)`",
    "web:app route handler, NextResponse.json": "app route handler, `return NextResponse.json(…)`",
    "web:next start, same route.ts": `\`next start\` (Next ${nextVersion}), the same \`route.ts\``,
    "web:bare node:http, JSON string": "bare `node:http`, a JSON string",
    "web:bare node:http, Response.json read back":
      "bare `node:http`, `Response.json` read back and written",
    "web:bare node:http, nextpress's features":
      "bare `node:http` with nextpress's features: helmet headers, request id, ETag, a pino line",
    "hello:OTEL on (OTLP export)":
      "GET /api/hello, `OTEL_EXPORTER_OTLP_ENDPOINT` set: a span per request, exported as protobuf",
    "hello:RATE_LIMIT, memory": "GET /api/hello, `RATE_LIMIT` set, memory store",
    "hello:RATE_LIMIT, Redis": "GET /api/hello, `RATE_LIMIT` set, `REDIS_URL`",
    "hello:WORKERS=1 unpinned": "GET /api/hello, `WORKERS=1`, unpinned",
    "hello:WORKERS=2 unpinned": "GET /api/hello, `WORKERS=2`, unpinned",
  };
  return labels[key] ?? key;
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
      `${ROUNDS} rounds × ${SECONDS}s (each after 1 s of warm-up), ${CONNECTIONS} connections`,
  );

  const trees = {};
  for (const kind of ["static", "dynamic"])
    for (const count of [1, 100, 1000])
      trees[`${kind}-${count}`] = writeRouteTree(tmp, kind, count);
  // A pages route and an app-router route handler in one project (one server), and `next start`
  // serving the same route handler (full runs only: it installs and builds Next once, cached).
  const web = writeWebTree(tmp);
  const next = QUICK ? { skipped: "not measured with --quick" } : prepareNext();
  // The same 1,000 files without a manifest: every module imported at start-up, or (with a
  // current START_CACHE) on first use. And 1,000 raw .ts files, as a project moving from Next has
  // them, served by nextpress without a build and by `next start` once built (full runs only).
  const eagerTree = writeRouteTree(path.join(tmp, "eager"), "static", 1000);
  const tsTree = writeRouteTree(path.join(tmp, "ts"), "static", 1000, ".ts");
  const nextPages = QUICK ? { skipped: "not measured with --quick" } : prepareNextPages(tsTree.dir);
  // hello and a validated POST without a database: nextpress itself, against bare Express.
  const framework = writeFrameworkTree(tmp, ROOT);
  // The build step a deployment runs (npm run build does it for routes/): check every route, write the manifest.
  for (const tree of [...Object.values(trees), framework]) {
    execFileSync(
      process.execPath,
      [path.join(ROOT, "dist", "src", "cli.js"), "check", "--write-manifest"],
      {
        env: { PATH: process.env.PATH, ROUTES_DIR: tree.dir, LOG_LEVEL: "silent" },
        stdio: "ignore",
      },
    );
  }

  // Production defaults: helmet headers, request ids, one info line per request written to a file.
  const npEnv = (extra) => ({ LOG_LEVEL: "info", NODE_ENV: "production", ...extra });
  /** @type {Record<string, Awaited<ReturnType<typeof startServer>>>} */
  const servers = {
    bare: await startServer("bare-express", bare, {}, "/api/hello"),
    nextpress: await startServer(
      "nextpress",
      distMain,
      npEnv({ ROUTES_DIR: framework.dir }),
      "/api/hello",
    ),
  };
  cleanups.push(async () => {
    for (const server of Object.values(servers))
      if (server.child.exitCode === null) await stopServer(server);
  });
  for (const [key, tree] of Object.entries(trees))
    servers[key] = await startServer(key, distMain, npEnv({ ROUTES_DIR: tree.dir }), tree.url);
  servers.web = await startServer(
    "web",
    distMain,
    npEnv({ ROUTES_DIR: web.routesDir }),
    web.webUrl,
  );
  servers.bareResponse = await startServer(
    "bare-response",
    path.join(__dirname, "servers", "bare-response.js"),
    {},
    "/plain",
  );
  servers.bareFeatures = await startServer(
    "bare-features",
    path.join(__dirname, "servers", "bare-features.js"),
    {},
    "/api/hello",
  );
  if (next.skipped === undefined)
    servers.next = await startServer(
      "next-start",
      next.script,
      { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      web.webUrl,
      { args: ["start"], cwd: next.dir },
    );
  // Tracing on, exporting (OTLP/HTTP protobuf, the default) to a sink on the load generator's core;
  // rate limits on, with limits no run reaches, in memory and (when redis-server is installed) in Redis.
  const sink = await startSink();
  servers["otel"] = await startServer(
    "otel",
    distMain,
    npEnv({
      ROUTES_DIR: framework.dir,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`,
    }),
    "/api/hello",
  );
  servers["ratelimit-memory"] = await startServer(
    "ratelimit-memory",
    distMain,
    npEnv({ ROUTES_DIR: framework.dir, RATE_LIMIT: "1000000000/1h" }),
    "/api/hello",
  );
  const redis = await startRedis();
  if (redis)
    servers["ratelimit-redis"] = await startServer(
      "ratelimit-redis",
      distMain,
      npEnv({
        ROUTES_DIR: framework.dir,
        RATE_LIMIT: "1000000000/1h",
        REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      }),
      "/api/hello",
    );
  // WORKERS scaling: server and load generator unpinned, so that two workers can use both cores.
  for (const workers of [1, 2])
    servers[`workers-${workers}`] = await startServer(
      `workers-${workers}`,
      distMain,
      npEnv({ ROUTES_DIR: framework.dir, WORKERS: String(workers) }),
      "/api/hello",
      { pin: false },
    );

  // The sample's users resource (dist/routes, instrumentation.ts): its embedded database (SQLite) in a
  // temp DATA_DIR, in one process and with WORKERS=2; and, when Debian's postgresql is installed, on
  // a PostgreSQL server of the bench's own, pinned to the server's core as SQLite runs inside the
  // server process. Durable alike: SQLite synchronous=FULL, PostgreSQL's defaults (fsync on,
  // synchronous_commit on): a 201 is on disk on both.
  const embeddedData = path.join(tmp, "data");
  // Created by a first start of its own (the new-DATA_DIR start-up figure).
  const freshStarts = [
    await measureStartAndMemory(distMain, { DATA_DIR: embeddedData }, "/api/users?limit=1"),
  ];
  servers["crud-embedded"] = await startServer(
    "crud-embedded",
    distMain,
    npEnv({ DATA_DIR: embeddedData, API_TOKENS: TOKEN }),
    "/readyz",
  );
  servers["crud-embedded-workers2"] = await startServer(
    "crud-embedded-workers2",
    distMain,
    npEnv({ DATA_DIR: path.join(tmp, "data-workers2"), API_TOKENS: TOKEN, WORKERS: "2" }),
    "/readyz",
    { pin: false },
  );
  let postgres;
  let postgresUrl;
  if (findPostgresBin()) {
    postgres = await createLocalPostgres({
      // PostgreSQL's own defaults (the test helper's are fsync=off): durable as SQLite's FULL is.
      settings: [],
      wrap: (command, args) => pinned(0, command, args),
      onStart: (child) => running.add(child),
    });
    cleanups.push(() => postgres.destroy());
    await postgres.start();
    postgresUrl = await postgres.createDatabase("bench");
    servers["crud-postgres"] = await startServer(
      "crud-postgres",
      distMain,
      npEnv({ DATABASE_URL: postgresUrl, API_TOKENS: TOKEN }),
      "/readyz",
    );
  } else {
    console.log(
      "  (no PostgreSQL in /usr/lib/postgresql: apt-get install postgresql for the PostgreSQL row)",
    );
  }
  const crudEngines = ["embedded", "embedded-workers2", ...(postgres ? ["postgres"] : [])];
  for (const engine of crudEngines)
    await seedUsers(servers[`crud-${engine}`].port, `seed-${engine}`);

  /** @type {Scenario[]} */
  const scenarios = [
    { key: "hello:bare", server: "bare", url: "/api/hello" },
    { key: "hello:nextpress", server: "nextpress", url: "/api/hello" },
    { key: "post:bare", server: "bare", url: "/api/users", postBody: USER_BODY },
    { key: "post:nextpress", server: "nextpress", url: "/api/users", postBody: USER_BODY },
    ...Object.entries(trees).map(([key, tree]) => ({
      key: `routes:${key}`,
      server: key,
      url: tree.url,
    })),
    { key: "web:pages route", server: "web", url: web.pagesUrl },
    { key: "web:app route handler", server: "web", url: web.webUrl },
    { key: "web:app route handler, NextResponse.json", server: "web", url: web.nextResponseUrl },
    { key: "web:bare node:http, JSON string", server: "bareResponse", url: "/plain" },
    {
      key: "web:bare node:http, Response.json read back",
      server: "bareResponse",
      url: "/response",
    },
    { key: "web:bare node:http, nextpress's features", server: "bareFeatures", url: "/api/hello" },
    ...(next.skipped
      ? []
      : [
          {
            key: "web:next start, same route.ts",
            server: "next",
            url: web.webUrl,
            timeoutSeconds: 10,
          },
        ]),
    { key: "hello:OTEL on (OTLP export)", server: "otel", url: "/api/hello" },
    { key: "hello:RATE_LIMIT, memory", server: "ratelimit-memory", url: "/api/hello" },
    ...(redis
      ? [{ key: "hello:RATE_LIMIT, Redis", server: "ratelimit-redis", url: "/api/hello" }]
      : []),
    { key: "hello:WORKERS=1 unpinned", server: "workers-1", url: "/api/hello", pin: false },
    { key: "hello:WORKERS=2 unpinned", server: "workers-2", url: "/api/hello", pin: false },
    ...crudEngines.map((engine) => ({
      key: `crud:${engine}`,
      server: `crud-${engine}`,
      crud: true,
    })),
  ];
  const cpu = Object.fromEntries(scenarios.map((s) => [s.key, 0]));
  /** @type {Record<string, Awaited<ReturnType<typeof load>>[]>} */
  const results = Object.fromEntries(scenarios.map((s) => [s.key, []]));
  const options = (s, seconds, tag) => ({
    url: `http://127.0.0.1:${servers[s.server].port}${s.url}`,
    seconds,
    connections: CONNECTIONS,
    postBody: s.postBody,
    pin: s.pin,
    // The baseline's slowest answers (next start, under GC) may pass wrk's default 2 s.
    ...(s.timeoutSeconds ? { timeoutSeconds: s.timeoutSeconds } : {}),
    ...(s.crud ? crudLoadOptions(servers[s.server].port, TOKEN, `${s.server}-${tag}`, tmp) : {}),
  });
  // A run with timeouts or failed answers is retried (twice); a scenario whose round still fails
  // is marked in the report, and the others go on.
  const failures = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of scenarios) {
      // Each server is warmed for a second right before each measured run, not only once: a
      // server that sat idle through the other scenarios (a minute and more) answers its first
      // second slowly (measured here: after 90 s idle the CRUD mix's p99 went from 25-53 ms to
      // 411-549 ms, the server's own durations unchanged; 34 and 112 ms with V8's memory reducer
      // off). That is V8 regrowing an idle heap, not the steady state the row reports.
      await load(options(s, 1, `warm-up-${round}`)).catch(() => undefined);
      const cpuBefore = cpuMs(servers[s.server].child.pid);
      const outcome = await runWithRetry(() => load(options(s, SECONDS, `round-${round}`)), {
        onRetry: (attempt, problem) =>
          console.log(`  ${s.key}: attempt ${attempt} failed (${problem}), retrying`),
      });
      if (!outcome.result) {
        failures[s.key] = outcome.problems.at(-1);
        continue;
      }
      cpu[s.key] += cpuMs(servers[s.server].child.pid) - cpuBefore;
      results[s.key].push(outcome.result);
    }
    process.stdout.write(`  round ${round}/${ROUNDS} done\n`);
  }
  const rss = Object.fromEntries(
    ["bare", "nextpress", ...crudEngines.map((e) => `crud-${e}`)].map((key) => [
      key,
      peakRssMb(servers[key].child.pid),
    ]),
  );
  for (const server of Object.values(servers)) await stopServer(server);
  await stopServer(sink);
  if (redis) await stopServer(redis);

  // What the embedded engine costs: the sample with its database (an existing DATA_DIR, the one
  // just loaded; a new one, initdb included) against the framework tree without any, and with
  // PostgreSQL through the pg client instead.
  /** @type {Record<"none" | "warm" | "fresh" | "postgres", StartCost[]>} */
  const cost = { none: [], warm: [], fresh: freshStarts, postgres: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    cost.none.push(
      await measureStartAndMemory(distMain, { ROUTES_DIR: framework.dir }, "/api/hello"),
    );
    cost.warm.push(
      await measureStartAndMemory(distMain, { DATA_DIR: embeddedData }, "/api/users?limit=1"),
    );
    if (postgres)
      cost.postgres.push(
        await measureStartAndMemory(distMain, { DATABASE_URL: postgresUrl }, "/api/users?limit=1"),
      );
  }
  for (let i = 1; i < FRESH_RUNS; i++)
    cost.fresh.push(
      await measureStartAndMemory(
        distMain,
        { DATA_DIR: path.join(tmp, `fresh-${i}`) },
        "/api/users?limit=1",
      ),
    );
  await postgres?.destroy();

  // Cold: no start-up cache (START_CACHE=off); warm: the cache a first start wrote (tsx's own
  // cache of compiled .ts is warm in both after the first run).
  const startCache = path.join(tmp, "start-cache");
  const cold = { START_CACHE: "off" };
  const warm = { START_CACHE: startCache };
  for (const tree of [eagerTree, tsTree])
    await measureStartup(distMain, { ROUTES_DIR: tree.dir, ...warm }, tree.url);
  /** @type {Record<"bare" | "nextpress" | "eager" | "eagerWarm" | "tsCold" | "tsWarm" | "next", number[]>} */
  const startup = {
    bare: [],
    nextpress: [],
    eager: [],
    eagerWarm: [],
    tsCold: [],
    tsWarm: [],
    next: [],
  };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    startup.bare.push(await measureStartup(bare, {}, "/api/hello"));
    startup.nextpress.push(
      await measureStartup(
        distMain,
        { ROUTES_DIR: trees["static-1000"].dir, ...cold },
        trees["static-1000"].url,
      ),
    );
    startup.eager.push(
      await measureStartup(distMain, { ROUTES_DIR: eagerTree.dir, ...cold }, eagerTree.url),
    );
    startup.eagerWarm.push(
      await measureStartup(distMain, { ROUTES_DIR: eagerTree.dir, ...warm }, eagerTree.url),
    );
    startup.tsCold.push(
      await measureStartup(distMain, { ROUTES_DIR: tsTree.dir, ...cold }, tsTree.url),
    );
    startup.tsWarm.push(
      await measureStartup(distMain, { ROUTES_DIR: tsTree.dir, ...warm }, tsTree.url),
    );
    if (nextPages.skipped === undefined)
      startup.next.push(
        await measureStartup(
          nextPages.script,
          { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
          tsTree.url,
          { args: ["start"], cwd: nextPages.dir },
        ),
      );
  }

  const m = (key, field) => median(results[key].map((r) => r[field]));
  // Server CPU per request (user + system, the server's process tree) is steadier than req/s on a
  // machine shared with other work: a second view of the same runs.
  const cpuPerRequestUs = (key) =>
    (cpu[key] * 1000) / results[key].reduce((sum, r) => sum + r.requests, 0);
  // The sentences of the report (docs/performance.md), printed as they are made.
  const notes = [];
  const note = (text) => {
    notes.push(text);
    console.log(`\n${text}`);
  };
  console.log(
    "\n| scenario | req/s | p50 ms | p99 ms | server CPU µs/request |\n|---|---|---|---|---|",
  );
  for (const [key, problem] of Object.entries(failures))
    note(`${key}: a round failed three times (${problem}); its figures are from the other rounds`);
  for (const s of scenarios.filter((s) => !s.crud)) {
    console.log(
      `| ${s.key} | ${fmt(m(s.key, "requestsPerSec"))} | ${fmt(m(s.key, "p50"), 2)} | ${fmt(m(s.key, "p99"), 2)} | ${fmt(cpuPerRequestUs(s.key), 1)} |`,
    );
  }
  note(
    `peak RSS under load: bare Express ${fmt(rss.bare, 1)} MB, nextpress ${fmt(rss.nextpress, 1)} MB`,
  );
  note(
    `start-up (spawn → first 200 on the last route, median of ${STARTUP_RUNS}): bare Express 1 route ${fmt(median(startup.bare))} ms, ` +
      `nextpress 1,000 routes ${fmt(median(startup.nextpress))} ms (checked by the build, imported on first use), ` +
      `${fmt(median(startup.eager))} ms without a manifest (all imported at start-up), ` +
      `${fmt(median(startup.eagerWarm))} ms without a manifest with a warm start-up cache`,
  );
  note(
    `start-up, 1,000 raw .ts routes (no build): nextpress ${fmt(median(startup.tsCold))} ms cold (every file imported through tsx), ` +
      `${fmt(median(startup.tsWarm))} ms warm (START_CACHE)` +
      (nextPages.skipped === undefined
        ? `; \`next start\` ${nextPages.version} on the same files, built: ${fmt(median(startup.next))} ms`
        : `; next start: ${nextPages.skipped}`),
  );

  const startMs = (key) => median(cost[key].map((c) => c.ms));
  const idleMb = (key) => median(cost[key].map((c) => c.rss));
  console.log(
    "\n| the users resource: CRUD mix (create, read, list, update, delete in turn) | req/s | p50 ms | p99 ms | peak RSS |\n|---|---|---|---|---|",
  );
  for (const engine of crudEngines) {
    console.log(
      `| ${crudLabel(engine)} | ${fmt(m(`crud:${engine}`, "requestsPerSec"))} | ${fmt(m(`crud:${engine}`, "p50"), 2)} | ${fmt(m(`crud:${engine}`, "p99"), 2)} | ${fmt(rss[`crud-${engine}`], 1)} MB |`,
    );
  }
  if (postgres)
    note(
      `CRUD, embedded vs PostgreSQL: req/s ${fmt(m("crud:embedded", "requestsPerSec") / m("crud:postgres", "requestsPerSec"), 2)}x (goal ≥ 1.0x), ` +
        `p99 ${fmt(m("crud:embedded", "p99"), 1)} ms vs ${fmt(m("crud:postgres", "p99"), 1)} ms (goal: no worse)`,
    );
  console.log(
    `\nthe embedded engine's cost (spawn → first 200, median of ${STARTUP_RUNS}; idle RSS 0.5 s later):\n` +
      `  without a database (hello + validated POST): ${fmt(startMs("none"))} ms, ${fmt(idleMb("none"), 1)} MB\n` +
      `  the sample on an existing DATA_DIR: ${fmt(startMs("warm"))} ms, ${fmt(idleMb("warm"), 1)} MB ` +
      `(+${fmt(startMs("warm") - startMs("none"))} ms, +${fmt(idleMb("warm") - idleMb("none"), 1)} MB)\n` +
      `  the sample on a new DATA_DIR (median of ${FRESH_RUNS}): ${fmt(startMs("fresh"))} ms, ${fmt(idleMb("fresh"), 1)} MB\n` +
      `  ratios: existing ${fmt(startMs("warm") / startMs("none"), 2)}x (goal ≤ 1.3x), new ${fmt(startMs("fresh") / startMs("none"), 2)}x (goal ≤ 1.5x), ` +
      `idle RSS +${fmt(idleMb("warm") - idleMb("none"), 1)} MB (goal ≤ +20 MB)` +
      (postgres
        ? `\n  the sample on PostgreSQL (pg): ${fmt(startMs("postgres"))} ms, ${fmt(idleMb("postgres"), 1)} MB`
        : ""),
  );

  const ratio = (a, b) => m(a, "requestsPerSec") / m(b, "requestsPerSec");
  const [one, two] = ["hello:WORKERS=1 unpinned", "hello:WORKERS=2 unpinned"];
  note(
    `WORKERS scaling, GET /api/hello, server and ${HAS_WRK ? "wrk" : "autocannon"} sharing ${os.cpus().length} cores: ` +
      `WORKERS=1 ${fmt(m(one, "requestsPerSec"))} req/s, WORKERS=2 ${fmt(m(two, "requestsPerSec"))} req/s (${fmt(ratio(two, one), 2)}x; ` +
      `${fmt(ratio(two, "hello:nextpress"), 2)}x the single process pinned to its own core); ` +
      `server CPU per request ${fmt(cpuPerRequestUs(one), 1)} µs vs ${fmt(cpuPerRequestUs(two), 1)} µs (primary and workers together). ` +
      `The load generator takes a core's share here; with cores to spare, throughput grows with WORKERS up to the cores ` +
      `for as long as the CPU per request stays flat.`,
  );
  const vsPlain = (key) => (results[key] ? `${fmt(ratio(key, "hello:nextpress"), 2)}x` : "-");
  note(
    `GET /api/hello against the same server with none of it: OTEL on (a span per request, exported) ${vsPlain("hello:OTEL on (OTLP export)")}, ` +
      `RATE_LIMIT in memory ${vsPlain("hello:RATE_LIMIT, memory")}, RATE_LIMIT in Redis ${redis ? vsPlain("hello:RATE_LIMIT, Redis") : "- (no redis-server)"}.`,
  );
  const wsEcho = await measureWebSocketEcho({ rounds: ROUNDS, seconds: SECONDS });
  console.log(
    `\nWebSocket echo over 50 sockets (NextResponse.upgrade(), WEBSOCKETS=on): nextpress ${fmt(wsEcho.nextpress)} msg/s, ` +
      `bare ws ${fmt(wsEcho.bare)} msg/s.`,
  );
  const uploads = await measureUploads({ quick: QUICK });
  console.log(
    `\nUploads (readMultipart toDisk): RSS +${fmt(uploads.rssMb, 1)} MB over idle during ${uploads.bigMib} MiB; ` +
      `413 after crossing fileSize, 10 parallel: p50/max ${fmt(uploads.announced.p50)}/${fmt(uploads.announced.max)} ms ` +
      `with a Content-Length, ${fmt(uploads.chunked.p50)}/${fmt(uploads.chunked.max)} ms chunked; ${uploads.leftover} temp folders left.`,
  );
  const targets = [
    ["GET /api/hello vs bare Express", ratio("hello:nextpress", "hello:bare"), ">=", 1.2, "x"],
    [
      "POST /api/users vs bare Express + express.json()",
      ratio("post:nextpress", "post:bare"),
      ">=",
      1.2,
      "x",
    ],
    [
      "GET /api/hello vs bare node:http (a JSON string), same run",
      ratio("hello:nextpress", "web:bare node:http, JSON string"),
      ">=",
      0.65,
      "x",
    ],
    ["1,000 static routes vs 1", ratio("routes:static-1000", "routes:static-1"), ">=", 0.95, "x"],
    [
      "1,000 dynamic [id] routes vs 1",
      ratio("routes:dynamic-1000", "routes:dynamic-1"),
      ">=",
      0.95,
      "x",
    ],
    [
      "start-up, 1,000 routes vs bare Express 1 route",
      median(startup.nextpress) / median(startup.bare),
      "<=",
      2.0,
      "x",
    ],
    ...(nextPages.skipped
      ? []
      : [
          [
            "start-up, 1,000 raw .ts (warm START_CACHE) vs next start, same files",
            median(startup.tsWarm) / median(startup.next),
            "<=",
            0.8,
            "x",
          ],
          [
            "start-up, 1,000 .js without manifest (warm START_CACHE) vs next start",
            median(startup.eagerWarm) / median(startup.next),
            "<=",
            0.6,
            "x",
          ],
        ]),
    ["peak RSS under load minus bare Express's", rss.nextpress - rss.bare, "<=", 15, " MB"],
    ["idle RSS, the server without a database", idleMb("none"), "<=", 60, " MB"],
    [
      "WORKERS=2 vs WORKERS=1, both unpinned",
      ratio("hello:WORKERS=2 unpinned", "hello:WORKERS=1 unpinned"),
      ">=",
      1.3,
      "x",
    ],
    [
      "p99 latency, hello, vs bare Express",
      m("hello:nextpress", "p99") / m("hello:bare", "p99"),
      "<=",
      1.0,
      "x",
    ],
    [
      "app route handler (Response.json) vs pages route, same server",
      ratio("web:app route handler", "web:pages route"),
      ">=",
      0.8,
      "x",
    ],
    [
      "app route handler (NextResponse.json) vs pages route, same server",
      ratio("web:app route handler, NextResponse.json", "web:pages route"),
      ">=",
      0.8,
      "x",
    ],
    ["WebSocket echo, 50 sockets, vs bare ws", wsEcho.ratio, ">=", 0.8, "x"],
    ["upload to disk: RSS over idle vs the +50 MB goal", uploads.rssMb / 50, "<=", 1, "x"],
    [
      "upload 413 (Content-Length), max vs the 100 ms goal",
      uploads.announced.max / 100,
      "<=",
      1,
      "x",
    ],
    ["upload 413 (chunked), max vs the 100 ms goal", uploads.chunked.max / 100, "<=", 1, "x"],
    ...(next.skipped
      ? []
      : [
          [
            `app route handler vs next start ${next.version}, same route.ts`,
            ratio("web:app route handler", "web:next start, same route.ts"),
            ">=",
            5,
            "x",
          ],
        ]),
  ];
  note(
    `Web Response ceiling: bare node:http answering through Response.json (made, read back, written) runs at ` +
      `${fmt(ratio("web:bare node:http, Response.json read back", "web:bare node:http, JSON string"), 2)}x its plain-string speed, ` +
      `with no framework at all; the app route handler returning Response.json runs at ` +
      `${fmt(ratio("web:app route handler", "web:pages route"), 2)}x the pages route, NextResponse.json (built lazily) at ` +
      `${fmt(ratio("web:app route handler, NextResponse.json", "web:pages route"), 2)}x.`,
  );
  const features = "web:bare node:http, nextpress's features";
  note(
    `Where GET /api/hello's CPU goes: bare node:http with nextpress's per-request features and no framework ` +
      `(helmet headers, request id, ETag, a pino line) runs at ${fmt(ratio(features, "web:bare node:http, JSON string"), 2)}x ` +
      `bare node:http (${fmt(cpuPerRequestUs(features), 1)} against ${fmt(cpuPerRequestUs("web:bare node:http, JSON string"), 1)} µs per request); ` +
      `nextpress runs at ${fmt(ratio("hello:nextpress", features), 2)}x that server (${fmt(cpuPerRequestUs("hello:nextpress"), 1)} µs): ` +
      `the rest is the framework's own share (Express's request and response, the chain, routing, Next's semantics, the request scope).`,
  );
  if (next.skipped) note(`next start: ${next.skipped}`);
  console.log("\n| target | measured | goal | |\n|---|---|---|---|");
  let failed = 0;
  const targetRows = [];
  for (const [name, value, op, goal, unit] of targets) {
    const pass = op === ">=" ? value >= goal : value <= goal;
    if (!pass) failed++;
    targetRows.push({
      label: String(name),
      measured: `${fmt(value, 2)}${unit}`,
      goal: `${op === ">=" ? "≥" : "≤"} ${goal}${unit}`,
      pass,
    });
    console.log(
      `| ${name} | ${fmt(value, 2)}${unit} | ${op} ${goal}${unit} | ${pass ? "PASS" : "FAIL"} |`,
    );
  }
  if (REPORT_FILE) {
    const startupRow = (label, key) => ({ label, ms: startMs(key), rssMb: idleMb(key) });
    writeReport(REPORT_FILE, {
      date: new Date().toISOString().slice(0, 10),
      machine: describeMachine(),
      setup:
        `${HAS_WRK ? "wrk" : "autocannon"}, ${HAS_TASKSET ? "server pinned to core 0 and the load to core 1 (unless unpinned)" : "unpinned"}, ` +
        `${ROUNDS} rounds × ${SECONDS} s per scenario in rotation, each after 1 s of warm-up, ${CONNECTIONS} connections; medians${QUICK ? " (--quick)" : ""}`,
      throughput: scenarios
        .filter((s) => !s.crud)
        .map((s) => ({
          label: scenarioLabel(s.key, next.version),
          rps: m(s.key, "requestsPerSec"),
          p50: m(s.key, "p50"),
          p99: m(s.key, "p99"),
          cpuUs: cpuPerRequestUs(s.key),
        })),
      targets: targetRows,
      crud: crudEngines.map((engine) => ({
        label: crudLabel(engine),
        rps: m(`crud:${engine}`, "requestsPerSec"),
        p50: m(`crud:${engine}`, "p50"),
        p99: m(`crud:${engine}`, "p99"),
        rssMb: rss[`crud-${engine}`],
      })),
      startup: [
        startupRow("the server without a database (hello, validated POST)", "none"),
        startupRow("the sample, existing `DATA_DIR` (first `GET /api/users`)", "warm"),
        startupRow(`the sample, new \`DATA_DIR\` (initdb, median of ${FRESH_RUNS})`, "fresh"),
        ...(postgres ? [startupRow("the sample on PostgreSQL", "postgres")] : []),
      ],
      notes,
    });
    console.log(`\nreport written to ${path.relative(process.cwd(), REPORT_FILE)}`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(logDir, { recursive: true, force: true });
  if (failed > 0 && process.argv.includes("--strict")) process.exitCode = 1;
}

/** --compare <ref>: this checkout against `ref`, built in a temporary worktree, in one run. */
async function compareMain() {
  const { prepareRefBuild, runCompare } = require("./compare");
  require(path.join(ROOT, "scripts", "ensure-build.js")).ensureBuild();
  console.log(
    `nextpress bench --compare ${ARGS.compare}: node ${process.version}, ${os.cpus().length} cores, ` +
      `${HAS_WRK ? "wrk" : "autocannon"}, ${HAS_TASKSET ? "server on core 0, load on core 1" : "unpinned"}`,
  );
  const base = prepareRefBuild(ARGS.compare);
  cleanups.push(async () => base.cleanup());
  const table = await runCompare({
    builds: [
      { name: ARGS.compare, root: base.root },
      { name: "this checkout", root: ROOT },
    ],
    rounds: ROUNDS,
    seconds: SECONDS,
    startRuns: QUICK ? 3 : STARTUP_RUNS,
    only: ARGS.only,
  });
  console.log(`\n${table}`);
  base.cleanup();
}

(ARGS.compare ? compareMain() : main()).catch(async (error) => {
  console.error(error);
  process.exitCode = 1;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  stopAll();
});
