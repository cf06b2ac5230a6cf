#!/usr/bin/env node
// node bench/websocket.js [--quick] — messages/s echoed over 50 WebSockets: nextpress (the built
// server, WEBSOCKETS=on, an app route returning NextResponse.upgrade()) against a bare `ws` server,
// in alternating rounds of the same run, servers on core 0 and the load (bench/ws-load.js) on
// core 1. Also what `npm run bench` runs for its WebSocket row. Loopback only, bounded in time;
// every process it starts is stopped by PID.
"use strict";
const { execFile, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pinned } = require("./load");
const { freePort, getStatus } = require("../scripts/loopback");

const ROOT = path.resolve(__dirname, "..");
const SOCKETS = 50;
const ECHO_ROUTE =
  '"use strict";\nconst { NextResponse } = require("next/server");\n' +
  "exports.GET = function GET() {\n" +
  "  return NextResponse.upgrade({ message: (peer, message) => void peer.send(message.text()) });\n" +
  "};\n";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A routes tree with one echo route at /echo; returns its routes folder. */
function writeEchoTree(root) {
  fs.mkdirSync(path.join(root, "routes"), { recursive: true });
  fs.mkdirSync(path.join(root, "app", "echo"), { recursive: true });
  fs.writeFileSync(path.join(root, "app", "echo", "route.js"), ECHO_ROUTE);
  return path.join(root, "routes");
}

async function start(name, script, env) {
  const port = await freePort();
  const [command, args] = pinned(0, process.execPath, [script]);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: "ignore",
  });
  for (let i = 0; i < 400; i++) {
    if ((await getStatus(port, "/healthz")) === 200) return { name, port, child };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill("SIGKILL");
  throw new Error(`${name} did not start`);
}

function stop(server) {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(undefined);
    server.child.once("exit", resolve);
    server.child.kill("SIGTERM");
    setTimeout(() => server.child.kill("SIGKILL"), 5000).unref();
  });
}

function drive(url, seconds) {
  const [command, args] = pinned(1, process.execPath, [
    path.join(__dirname, "ws-load.js"),
    url,
    String(seconds),
    String(SOCKETS),
  ]);
  return new Promise((resolve, reject) =>
    execFile(command, args, { timeout: (seconds + 30) * 1000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout).perSecond),
    ),
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Both servers, `rounds` alternating runs of `seconds` each: the medians of messages/s and their
 * ratio (nextpress / bare).
 */
async function measureWebSocketEcho({ rounds = 3, seconds = 3 } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-ws-"));
  const servers = [];
  try {
    const routesDir = writeEchoTree(tmp);
    const nextpress = await start("nextpress", path.join(ROOT, "dist", "src", "main.js"), {
      ROUTES_DIR: routesDir,
      WEBSOCKETS: "on",
      LOG_LEVEL: "warn",
      API_TOKENS: "bench",
      // The bench sends as fast as it can: no per-connection message budget in the way.
      WS_MESSAGE_RATE: "off",
    });
    servers.push(nextpress);
    const bare = await start("bare ws", path.join(__dirname, "servers", "bare-ws.js"), {});
    servers.push(bare);
    /** @type {{ nextpress: number[], bare: number[] }} */
    const results = { nextpress: [], bare: [] };
    for (let round = 0; round < rounds; round++) {
      results.bare.push(await drive(`ws://127.0.0.1:${bare.port}/`, seconds));
      results.nextpress.push(await drive(`ws://127.0.0.1:${nextpress.port}/echo`, seconds));
    }
    const nextpressRate = median(results.nextpress);
    const bareRate = median(results.bare);
    return { nextpress: nextpressRate, bare: bareRate, ratio: nextpressRate / bareRate };
  } finally {
    await Promise.all(servers.map(stop));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { measureWebSocketEcho };

if (require.main === module) {
  const quick = process.argv.includes("--quick");
  measureWebSocketEcho(quick ? { rounds: 1, seconds: 2 } : { rounds: 5, seconds: 6 })
    .then(({ nextpress, bare, ratio }) => {
      console.log(
        `WebSocket echo, ${SOCKETS} sockets: nextpress ${Math.round(nextpress)} msg/s, bare ws ${Math.round(bare)} msg/s, ${ratio.toFixed(2)}x (goal >= 0.8x)`,
      );
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
