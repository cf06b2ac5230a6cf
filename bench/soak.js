#!/usr/bin/env node
// npm run soak [-- --seconds 60 | --quick] — mixed traffic against the built server
// (dist/src/main.js, the sample routes, their embedded database in a temp DATA_DIR) on 127.0.0.1:
// 50 connections, two identical rounds.
// Targets: zero 5xx, zero connection errors, only the statuses the mix should produce, no
// error-level log line, RSS after round 2 within 10% of after round 1, a clean exit 0 on SIGTERM.
// The server runs at LOG_LEVEL=debug so that it logs its event-loop delay percentiles when it
// stops. Prints a summary table; exits 1 when a target is missed. Stops what it started by PID.
"use strict";
const { execFile, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const flag = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
const SECONDS = Number(flag("--seconds") ?? (args.includes("--quick") ? 10 : 60));
const CONNECTIONS = Number(flag("--connections") ?? 50);
const TOKEN = "soak-token-5f1c2a9e";
const BODY_LIMIT = "1kb";
const RSS_TOLERANCE = 0.1;
if (!(SECONDS > 0) || !(CONNECTIONS > 0)) {
  process.stderr.write("usage: npm run soak [-- --seconds N | --quick] [--connections N]\n");
  process.exit(2);
}

const VALID_USER = JSON.stringify({ name: "Ada", email: "ada@example.com" });
/** One cycle of the traffic, in order; every connection walks through it again and again. */
const MIX = [
  { name: "GET /api/hello", method: "GET", path: "/api/hello", expect: 200 },
  // Ada signs up once before the rounds: every valid sign-up of the mix reaches the unique index.
  {
    name: "POST /api/users (valid, email taken)",
    method: "POST",
    path: "/api/users",
    json: VALID_USER,
    expect: 409,
  },
  {
    name: "POST /api/users (invalid)",
    method: "POST",
    path: "/api/users",
    json: JSON.stringify({ email: "nope" }),
    expect: 400,
  },
  {
    name: "POST /api/users (bad JSON)",
    method: "POST",
    path: "/api/users",
    json: '{"name":',
    expect: 400,
  },
  { name: "GET /api/hello", method: "GET", path: "/api/hello", expect: 200 },
  { name: "GET /api/no/such/route", method: "GET", path: "/api/no/such/route", expect: 404 },
  { name: "GET /api/secure-data (no token)", method: "GET", path: "/api/secure-data", expect: 401 },
  {
    name: "GET /api/secure-data (token)",
    method: "GET",
    path: "/api/secure-data",
    headers: { Authorization: `Bearer ${TOKEN}` },
    expect: 200,
  },
  {
    name: `POST /api/users (over ${BODY_LIMIT})`,
    method: "POST",
    path: "/api/users",
    json: JSON.stringify({ name: "x".repeat(2048), email: "a@b.co" }),
    expect: 413,
  },
  { name: "GET /api/users/1", method: "GET", path: "/api/users/1", expect: 200 },
  { name: "GET /api/users?limit=20", method: "GET", path: "/api/users?limit=20", expect: 200 },
  { name: "GET /api/users/999999", method: "GET", path: "/api/users/999999", expect: 404 },
];
const EXPECTED_STATUSES = new Set(MIX.map((r) => r.expect));

const running = new Set();
process.on("exit", () => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
process.on("SIGINT", () => process.exit(130));
// Stopped by a signal, the "exit" handler still stops every server, database and load generator it started.
process.on("SIGTERM", () => process.exit(143));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const { HAS_TASKSET, HAS_WRK, pinned, toMs } = require("./load.js");
const { freePort, getStatus } = require("../scripts/loopback.js");

function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/** @type {RegExpExecArray} */ (/VmRSS:\s+(\d+) kB/.exec(status))[1]) * 1024;
}

/** The built server, its stdout scanned for the lines the soak reports (every other line dropped). */
async function startServer(dataDir) {
  require("../scripts/ensure-build.js").ensureBuild();
  const port = await freePort();
  const [command, commandArgs] = pinned(0, process.execPath, [
    path.join(ROOT, "dist", "src", "main.js"),
  ]);
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "debug",
      API_TOKENS: TOKEN,
      BODY_LIMIT,
      DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const server = {
    child,
    port,
    errorLines: /** @type {string[]} */ ([]),
    eventLoop: /** @type {{ p50: number, p99: number, max: number } | undefined} */ (undefined),
    stderr: "",
    exited: new Promise((resolve) => child.once("exit", resolve)),
  };
  let pending = "";
  child.stdout.on("data", (chunk) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.includes('"event loop delay"')) server.eventLoop = JSON.parse(line).eventLoopDelayMs;
      else if (/^\{"level":(50|60)/.test(line)) server.errorLines.push(line);
    }
  });
  child.stderr.on("data", (chunk) => (server.stderr += chunk.toString()));
  for (let i = 0; i < 1200; i++) {
    if ((await getStatus(port, "/readyz")) === 200) {
      const seeded = await fetch(`http://127.0.0.1:${port}/api/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: VALID_USER,
      });
      if (seeded.status !== 201 && seeded.status !== 409)
        throw new Error(`seeding Ada: POST /api/users answered ${seeded.status}`);
      return server;
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`the server did not start:\n${server.stderr}`);
}

function luaString(text) {
  // The mix is ASCII without control characters, where JSON's escapes are Lua's.
  return JSON.stringify(text);
}

function writeLuaScript() {
  const formats = MIX.map((r) => {
    const headers = { ...(r.json ? { "Content-Type": "application/json" } : {}), ...r.headers };
    const table = `{${Object.entries(headers)
      .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
      .join(", ")}}`;
    return `  wrk.format(${luaString(r.method)}, ${luaString(r.path)}, ${table}, ${r.json ? luaString(r.json) : "nil"})`;
  });
  const script = `-- generated by bench/soak.js
local threads = {}
function setup(thread) table.insert(threads, thread) end
local requests
local index = 0
statuses = {}
function init(args)
  requests = {
${formats.join(",\n")}
  }
end
function request()
  index = index % #requests + 1
  return requests[index]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do io.write(string.format("STATUS %d %d\\n", status, count)) end
  end
end
`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-soak-")), "mix.lua");
  fs.writeFileSync(file, script);
  return file;
}

function runWrk(port, script) {
  const [command, commandArgs] = pinned(1, "wrk", [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${SECONDS}s`,
    "--latency",
    "-s",
    script,
    `http://127.0.0.1:${port}`,
  ]);
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      commandArgs,
      { encoding: "utf8", timeout: (SECONDS + 60) * 1000 },
      (error, stdout) => {
        running.delete(child);
        if (error) return reject(error);
        const statuses = {};
        for (const [, status, count] of stdout.matchAll(/^STATUS (\d+) (\d+)$/gm))
          statuses[status] = (statuses[status] ?? 0) + Number(count);
        const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
          stdout,
        );
        resolve({
          requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
          statuses,
          connectionErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
          connectionErrorDetail: socket ? socket[0] : "none",
          p50: toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1]),
          p99: toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1]),
        });
      },
    );
    running.add(child);
  });
}

async function runAutocannon(port) {
  const autocannon = require("autocannon");
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: MIX.map((r) => ({
      method: r.method,
      path: r.path,
      headers: { ...(r.json ? { "content-type": "application/json" } : {}), ...r.headers },
      ...(r.json ? { body: r.json } : {}),
    })),
  });
  const statuses = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statuses[status] = count;
  return {
    requests: Object.values(statuses).reduce((sum, n) => sum + n, 0),
    statuses,
    connectionErrors: result.errors + result.timeouts,
    connectionErrorDetail: `errors ${result.errors}, timeouts ${result.timeouts}`,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const tool = HAS_WRK ? "wrk" : "autocannon";
  process.stdout.write(
    `soak: ${SECONDS} s × 2 rounds, ${CONNECTIONS} connections, ${tool}${HAS_TASKSET ? " (server on core 0, load on core 1)" : ""}, ` +
      `BODY_LIMIT=${BODY_LIMIT}, mix of ${MIX.length}: ${[...new Set(MIX.map((r) => r.name))].join("; ")}\n`,
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-soak-data-"));
  process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // A first start creates the database (initdb peaks at about 800 MB, which the RSS comparison
  // of the rounds must not see) and signs Ada up; the soaked server opens it as it is.
  const first = await startServer(dataDir);
  first.child.kill("SIGTERM");
  await first.exited;
  running.delete(first.child);
  const server = await startServer(dataDir);
  const script = HAS_WRK ? writeLuaScript() : undefined;
  const rounds = [];
  for (let round = 1; round <= 2; round++) {
    const result = HAS_WRK ? await runWrk(server.port, script) : await runAutocannon(server.port);
    await sleep(1000);
    result.rss = rssBytes(server.child.pid);
    rounds.push(result);
    process.stdout.write(`round ${round}: ${result.requests} requests, RSS ${mb(result.rss)}\n`);
  }
  server.child.kill("SIGTERM");
  const exitCode = await Promise.race([server.exited, sleep(20_000).then(() => "timeout")]);
  running.delete(server.child);
  await sleep(100);

  const statuses = [...new Set(rounds.flatMap((r) => Object.keys(r.statuses)))].sort();
  const row = (label, values, ok) => ({ label, values, ok });
  const fiveXx = rounds.map((r) =>
    Object.entries(r.statuses).reduce((sum, [s, n]) => sum + (Number(s) >= 500 ? n : 0), 0),
  );
  const unexpected = rounds.map((r) =>
    Object.entries(r.statuses).reduce(
      (sum, [s, n]) => sum + (EXPECTED_STATUSES.has(Number(s)) ? 0 : n),
      0,
    ),
  );
  const rssChange = (rounds[1].rss - rounds[0].rss) / rounds[0].rss;
  const rows = [
    row(
      "requests",
      rounds.map((r) => String(r.requests)),
      rounds.every((r) => r.requests > 0),
    ),
    ...statuses.map((s) =>
      row(
        `  status ${s}`,
        rounds.map((r) => String(r.statuses[s] ?? 0)),
        EXPECTED_STATUSES.has(Number(s)),
      ),
    ),
    row(
      "5xx",
      fiveXx.map(String),
      fiveXx.every((n) => n === 0),
    ),
    row(
      "unexpected statuses",
      unexpected.map(String),
      unexpected.every((n) => n === 0),
    ),
    row(
      "connection errors",
      rounds.map((r) => String(r.connectionErrors)),
      rounds.every((r) => r.connectionErrors === 0),
    ),
    row(
      "latency p50 / p99 (ms)",
      rounds.map((r) => `${r.p50} / ${r.p99}`),
      true,
    ),
    row(
      "RSS after the round",
      rounds.map((r) => mb(r.rss)),
      true,
    ),
    row(
      `RSS change, round 2 vs 1 (≤ ${RSS_TOLERANCE * 100}%)`,
      ["", `${(rssChange * 100).toFixed(1)}%`],
      Math.abs(rssChange) <= RSS_TOLERANCE,
    ),
    row(
      "error/fatal log lines",
      ["", String(server.errorLines.length)],
      server.errorLines.length === 0,
    ),
    row("exit code on SIGTERM", ["", String(exitCode)], exitCode === 0),
    row(
      "event-loop delay p50 / p99 / max (ms)",
      [
        "",
        server.eventLoop
          ? `${server.eventLoop.p50} / ${server.eventLoop.p99} / ${server.eventLoop.max}`
          : "not logged",
      ],
      server.eventLoop !== undefined,
    ),
  ];
  const width = Math.max(...rows.map((r) => r.label.length));
  const colWidth = Math.max(
    8,
    ...rows.filter((r) => r.values[0] !== "").flatMap((r) => r.values.map((v) => v.length)),
  );
  const line = (label, a, b, mark) =>
    a === ""
      ? `${label.padEnd(width)}  ${b.padStart(colWidth * 2 + 2)}  ${mark}`
      : `${label.padEnd(width)}  ${a.padStart(colWidth)}  ${b.padStart(colWidth)}  ${mark}`;
  process.stdout.write(`\n${line("", "round 1", "round 2", "")}\n`);
  for (const r of rows)
    process.stdout.write(
      `${line(r.label, r.values[0] ?? "", r.values[1] ?? "", r.ok ? "ok" : "MISSED")}\n`,
    );
  if (rounds.some((r) => r.connectionErrors > 0))
    process.stdout.write(
      `\nconnection errors: ${rounds.map((r) => r.connectionErrorDetail).join(" | ")}\n`,
    );
  for (const errorLine of server.errorLines.slice(0, 5))
    process.stdout.write(`\n${errorLine.slice(0, 500)}\n`);
  if (server.stderr) process.stdout.write(`\nserver stderr:\n${server.stderr}\n`);
  const missed = rows.filter((r) => !r.ok).length;
  process.stdout.write(
    `\n${missed === 0 ? "PASS: every target met" : `FAIL: ${missed} target(s) missed`}\n`,
  );
  process.exitCode = missed === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`soak: ${error.stack ?? error}\n`);
  process.exit(1);
});
