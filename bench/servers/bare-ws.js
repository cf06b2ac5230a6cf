// The WebSocket baseline: a bare `ws` server on node:http echoing every message, with the same
// options nextpress gives `ws` (no permessage-deflate, 16 MiB messages). PORT, HOST from the env.
"use strict";
const http = require("node:http");
const { WebSocketServer } = require("ws");

const server = http.createServer((req, res) => {
  res.statusCode = req.url === "/healthz" ? 200 : 404;
  res.end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
