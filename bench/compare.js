// `npm run bench -- --compare <git-ref>`: the same scenarios on two builds in one run, rounds in
// rotation (base, head, base, head …), so that the machine's drift touches both alike; prints
// head/base per row with each side's server CPU per request, and start-up and idle RSS ratios.
// The ref is built in a temporary git worktree (node_modules hard-linked from this checkout when
// the lockfiles match, `npm ci --prefer-offline` otherwise), removed afterwards.
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { load, pinned } = require("./load");
const { freePort, getStatus } = require("../scripts/loopback");
const { runWithRetry } = require("./retry");
const { renderCompareTable } = require("./ratio-table");
const { writeFrameworkTree, writeRouteTree, writeWebTree } = require("./route-trees");

const ROOT = path.resolve(__dirname, "..");
const BARE_NODE_HTTP = path.join(__dirname, "servers", "bare-response.js");
const fmt2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : "-");
const USER_BODY = JSON.stringify({ name: "Ada", email: "ada@example.com" });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Builds `ref` in a temporary worktree: its root, and a cleanup that removes the worktree. */
function prepareRefBuild(ref, log = console.log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-compare-"));
  execFileSync("git", ["worktree", "add", "--detach", "--quiet", dir, ref], { cwd: ROOT });
  const cleanup = () => {
    try {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: ROOT, stdio: "ignore" });
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const lock = (root) => fs.readFileSync(path.join(root, "package-lock.json"), "utf8");
    if (lock(dir) === lock(ROOT)) {
      // Hard links, not a symlink: tsc's declaration output names types by their real path,
      // and a node_modules outside the worktree makes it refuse ("cannot be named … not portable").
      execFileSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(dir, "node_modules")]);
      log(`  ${ref}: same lockfile, node_modules hard-linked from this checkout`);
    } else {
      log(`  ${ref}: its own lockfile, npm ci --prefer-offline`);
      execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--silent"], {
        cwd: dir,
        stdio: "inherit",
      });
    }
    execFileSync(process.execPath, [path.join(dir, "scripts", "build.js")], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    return { root: dir, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/** CPU time (user + system) a process has used, in ms. */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) / 1024;
}

/** Spawns `main` pinned to core 0 and polls `url` (≤ 20 s): { child, port, ms from spawn }. */
async function spawnServer(running, main, env, url, pollMs = 2) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [main]);
  const started = process.hrtime.bigint();
  const child = spawn(command, args, {
    cwd: path.dirname(path.dirname(path.dirname(main))),
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: "ignore",
  });
  running.add(child);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await getStatus(port, url)) === 200)
      return { child, port, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    if (child.exitCode !== null) break;
    await sleep(pollMs);
  }
  child.kill("SIGKILL");
  running.delete(child);
  throw new Error(`${main} did not answer ${url}`);
}

function stop(running, child) {
  child.kill("SIGKILL");
  running.delete(child);
}

/** A build's trees: each build checks and writes its own manifests with its own CLI. */
function writeTrees(root, build) {
  const dir = path.join(root, build.name);
  fs.mkdirSync(dir, { recursive: true });
  const trees = {
    framework: writeFrameworkTree(dir, build.root),
    web: writeWebTree(dir),
    static1000: writeRouteTree(dir, "static", 1000),
    eager: writeRouteTree(path.join(dir, "eager"), "static", 1000),
    typescript: writeRouteTree(path.join(dir, "ts"), "static", 1000, ".ts"),
  };
  for (const tree of [trees.framework, trees.static1000])
    execFileSync(
      process.execPath,
      [path.join(build.root, "dist", "src", "cli.js"), "check", "--write-manifest"],
      {
        env: { PATH: process.env.PATH, ROUTES_DIR: tree.dir, LOG_LEVEL: "silent" },
        stdio: "ignore",
      },
    );
  return trees;
}

const THROUGHPUT = [
  { key: "hello", label: "GET /api/hello", server: "framework", url: "/api/hello" },
  {
    key: "post",
    label: "POST /api/users (zod)",
    server: "framework",
    url: "/api/users",
    postBody: USER_BODY,
  },
  { key: "pages", label: "pages route (web tree)", server: "web", url: "/api/hello" },
  { key: "app", label: "app route, Response.json", server: "web", url: "/api/web-hello" },
  { key: "next", label: "app route, NextResponse.json", server: "web", url: "/api/next-hello" },
  {
    key: "static1000",
    label: "static route, 1,000 files",
    server: "static1000",
    url: "/api/r0999",
  },
];

const STARTUP = [
  { key: "start-built", label: "start-up, 1,000 routes with manifest", tree: "static1000" },
  { key: "start-js", label: "start-up, 1,000 compiled .js, no manifest", tree: "eager" },
  { key: "start-ts", label: "start-up, 1,000 raw .ts, no manifest", tree: "typescript" },
];

/**
 * Runs the comparison; `builds` is [{ name, root }] (base first). Bounded: `rounds` × `seconds`
 * per scenario and build, `startRuns` starts per start-up row and build.
 */
async function runCompare({
  builds,
  rounds,
  seconds,
  startRuns,
  only,
  connections = 50,
  log = console.log,
}) {
  const running = new Set();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-compare-trees-"));
  const onExit = () => running.forEach((child) => child.kill("SIGKILL"));
  process.on("exit", onExit);
  const wanted = (key) => !only || only.includes(key);
  try {
    const trees = Object.fromEntries(builds.map((b) => [b.name, writeTrees(tmp, b)]));
    const env = (extra) => ({ LOG_LEVEL: "info", NODE_ENV: "production", ...extra });
    const rows = [];
    /** @type {Record<string, { rps: number[], cpu: number, requests: number, failed?: string }> | undefined} */
    const totals = {};
    const scenarios = THROUGHPUT.filter((s) => wanted(s.key));
    if (scenarios.length > 0) {
      const servers = {};
      for (const b of builds) {
        const main = path.join(b.root, "dist", "src", "main.js");
        for (const name of new Set(scenarios.map((s) => s.server))) {
          const tree = trees[b.name][name];
          const routesDir = tree.routesDir ?? tree.dir;
          const probe = name === "web" ? "/api/hello" : tree.url;
          servers[`${b.name}:${name}`] = await spawnServer(
            running,
            main,
            env({ ROUTES_DIR: routesDir }),
            probe,
            50,
          );
        }
      }
      // The ceiling: bare node:http answering hello's JSON, loaded in the same rotation as hello.
      const ceiling = scenarios.some((s) => s.key === "hello")
        ? await spawnServer(running, BARE_NODE_HTTP, {}, "/plain", 50)
        : undefined;
      for (const s of scenarios)
        for (const b of builds)
          totals[`${b.name}:${s.key}`] = { rps: [], cpu: 0, requests: 0, failed: undefined };
      totals["bare:hello"] = { rps: [], cpu: 0, requests: 0, failed: undefined };
      for (let round = 0; round <= rounds; round++) {
        for (const s of scenarios) {
          // base, head; then head, base: neither build always runs right after the other's warm-up.
          const sides = builds.map((b) => ({
            name: b.name,
            server: servers[`${b.name}:${s.server}`],
            url: s.url,
          }));
          if (ceiling && s.key === "hello")
            sides.push({ name: "bare", server: ceiling, url: "/plain" });
          for (const b of round % 2 ? [...sides].reverse() : sides) {
            const server = b.server;
            const total = totals[`${b.name}:${s.key}`];
            const cpuBefore = cpuMs(server.child.pid);
            const outcome = await runWithRetry(
              () =>
                load({
                  url: `http://127.0.0.1:${server.port}${b.url}`,
                  seconds: round === 0 ? 1 : seconds,
                  connections,
                  postBody: s.postBody,
                }),
              {
                onRetry: (attempt, problem) =>
                  log(`  ${b.name} ${s.key}: attempt ${attempt} failed (${problem}), retrying`),
              },
            );
            if (round === 0) continue; // warm-up
            if (!outcome.result) {
              total.failed = outcome.problems.at(-1);
              continue;
            }
            total.cpu += cpuMs(server.child.pid) - cpuBefore;
            total.requests += outcome.result.requests;
            total.rps.push(outcome.result.requestsPerSec);
          }
        }
        if (round > 0) log(`  round ${round}/${rounds} done`);
      }
      for (const server of Object.values(servers)) stop(running, server.child);
      if (ceiling) stop(running, ceiling.child);
      for (const s of scenarios) {
        const side = (b) => {
          const t = totals[`${b.name}:${s.key}`];
          return { value: median(t.rps), cpu: (t.cpu * 1000) / t.requests, failed: t.failed };
        };
        rows.push({
          label: s.label,
          unit: "req/s",
          cpuUnit: "µs/request",
          higherIsBetter: true,
          base: side(builds[0]),
          head: side(builds[1]),
        });
      }
    }
    for (const start of STARTUP.filter((s) => wanted(s.key))) {
      const times = Object.fromEntries(builds.map((b) => [b.name, []]));
      const cpus = Object.fromEntries(builds.map((b) => [b.name, []]));
      for (let i = 0; i < startRuns; i++)
        for (const b of i % 2 ? [...builds].reverse() : builds) {
          const tree = trees[b.name][start.tree];
          const main = path.join(b.root, "dist", "src", "main.js");
          const { child, ms } = await spawnServer(
            running,
            main,
            // Cold: a start-up cache would make the trees without a manifest lazy after one start.
            { ROUTES_DIR: tree.dir, LOG_LEVEL: "silent", START_CACHE: "off" },
            tree.url,
          );
          cpus[b.name].push(cpuMs(child.pid));
          stop(running, child);
          times[b.name].push(ms);
        }
      const side = (b) => ({ value: median(times[b.name]), cpu: median(cpus[b.name]) });
      rows.push({
        label: start.label,
        unit: "ms",
        cpuUnit: "ms",
        higherIsBetter: false,
        base: side(builds[0]),
        head: side(builds[1]),
      });
    }
    if (wanted("idle-rss")) {
      const idle = Object.fromEntries(builds.map((b) => [b.name, []]));
      for (let i = 0; i < Math.max(1, Math.ceil(startRuns / 2)); i++)
        for (const b of builds) {
          const tree = trees[b.name].framework;
          const main = path.join(b.root, "dist", "src", "main.js");
          const { child } = await spawnServer(
            running,
            main,
            env({ ROUTES_DIR: tree.dir }),
            tree.url,
          );
          await sleep(500);
          idle[b.name].push(rssMb(child.pid));
          stop(running, child);
        }
      const side = (b) => ({ value: median(idle[b.name]) });
      rows.push({
        label: "idle RSS, no database",
        unit: "MB",
        higherIsBetter: false,
        base: side(builds[0]),
        head: side(builds[1]),
      });
    }
    const table = renderCompareTable(builds[0].name, builds[1].name, rows);
    const bare = totals["bare:hello"];
    if (!bare || bare.rps.length === 0) return table;
    // Each build's hello against the ceiling, from the same rounds.
    const against = (b) => {
      const t = totals[`${b.name}:hello`];
      const cpu = (t.cpu * 1000) / t.requests;
      return `${b.name} ${fmt2(median(t.rps) / median(bare.rps))}x (CPU ${fmt2(bareCpu / cpu)}x)`;
    };
    const bareCpu = (bare.cpu * 1000) / bare.requests;
    return (
      `${table}\n\nGET /api/hello against bare node:http (${Math.round(median(bare.rps))} req/s, ` +
      `${bareCpu.toFixed(1)} µs CPU/request), req/s and inverse CPU per request: ` +
      builds.map(against).join(", ")
    );
  } finally {
    onExit();
    process.off("exit", onExit);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { prepareRefBuild, runCompare, THROUGHPUT, STARTUP };
