#!/usr/bin/env node
// node bench/ws-load.js URL SECONDS [SOCKETS] — opens SOCKETS `ws` clients (50 by default) to URL,
// each sending a 64-byte text message and waiting for its echo before the next (one in flight per
// socket), for SECONDS; prints {"messages", "seconds", "perSecond"} as JSON. Bounded by SECONDS.
"use strict";
const WebSocket = require("ws");

const [url, secondsText, socketsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const sockets = Number(socketsText ?? 50);
const PAYLOAD = "x".repeat(64);

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function main() {
  const clients = await Promise.all(Array.from({ length: sockets }, open));
  // The first message of an echo route may be a greeting: read and drop one round before timing.
  let messages = 0;
  let running = true;
  const started = process.hrtime.bigint();
  for (const ws of clients) {
    ws.on("message", () => {
      messages++;
      if (running) ws.send(PAYLOAD);
    });
    ws.send(PAYLOAD);
  }
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  for (const ws of clients) ws.terminate();
  process.stdout.write(
    `${JSON.stringify({ messages, seconds: elapsed, perSecond: messages / elapsed })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
