// Drives one server for a fixed time: wrk when installed (far cheaper than autocannon on two
// cores), autocannon otherwise. Loopback only; every run is bounded by its duration.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const hasCommand = (name) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const HAS_WRK = hasCommand("wrk");
const HAS_TASKSET = hasCommand("taskset") && os.cpus().length >= 2;

/**
 * Runs `command` pinned to `core` when taskset is there (server and load on different cores).
 * @param {number} core
 * @param {string} command
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function pinned(core, command, args) {
  return HAS_TASKSET ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

function toMs(text) {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  const msPerUnit = { us: 1 / 1000, ms: 1, s: 1000 };
  return value * msPerUnit[match[2]];
}

let luaScript;
function postScript(body) {
  luaScript ??= path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-wrk-")), "post.lua");
  fs.writeFileSync(
    luaScript,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  return luaScript;
}

function runWrk({
  url,
  seconds,
  connections,
  postBody,
  wrkScript,
  timeoutSeconds = 2,
  pin = true,
}) {
  const script = wrkScript ?? (postBody ? postScript(postBody) : undefined);
  const args = [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${timeoutSeconds}s`,
    "--latency",
    ...(script ? ["-s", script] : []),
    url,
  ];
  const [command, commandArgs] = pin ? pinned(1, "wrk", args) : ["wrk", args];
  const out = execFileSync(command, commandArgs, {
    encoding: "utf8",
    timeout: (seconds + 30) * 1000,
  });
  const requestsPerSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(out)?.[1];
  return {
    requestsPerSec,
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ""),
    p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ""),
    non2xx,
    errors: errors ?? "",
  };
}

async function runAutocannon({
  url,
  seconds,
  connections,
  postBody,
  autocannonRequests,
  timeoutSeconds = 10,
}) {
  const autocannon = require("autocannon");
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: timeoutSeconds,
    ...(postBody
      ? { method: "POST", body: postBody, headers: { "content-type": "application/json" } }
      : {}),
    ...(autocannonRequests ? { requests: autocannonRequests } : {}),
  });
  return {
    requestsPerSec: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors ? String(result.errors) : "",
  };
}

/**
 * One measurement: req/s, requests, p50/p99 latency in ms, and how many answers were not 2xx.
 * A GET of `url`, a POST of `postBody`, or a scripted mix: `wrkScript` (a Lua file) for wrk, with
 * the same mix as `autocannonRequests` for autocannon. A request slower than `timeoutSeconds`
 * (wrk's default 2, autocannon's 10) counts as an error. wrk runs on core 1 unless `pin` is false
 * (autocannon runs in this process).
 */
async function load(options) {
  return HAS_WRK ? runWrk(options) : runAutocannon(options);
}

module.exports = { load, pinned, toMs, HAS_WRK, HAS_TASKSET };
