// What nextpress's per-request features cost with no framework at all: bare node:http answering
// the hello JSON with the same helmet headers (computed once, written with writeHead and a flat
// array), a request id (a UUID, echoed), Next's ETag, and one pino line per exchange with the
// request log's fields. The gap between this server and nextpress is the framework's own share
// (Express's request and response, the chain, routing, Next's semantics, the request scope).
"use strict";
const http = require("node:http");
const { randomUUID } = require("node:crypto");
const path = require("node:path");
const pino = require("pino");

// The built server's own helmet headers and ETag (the bench builds dist/ before it starts this).
const dist = path.join(__dirname, "..", "..", "dist", "src");
const { computeHelmetHeaders } = require(path.join(dist, "middleware", "security-headers.js"));
const { generateETag } = require(path.join(dist, "next", "etag.js"));

const helmetHeaders = computeHelmetHeaders().flat();
// pino's asynchronous destination on stdout, holding unwritten lines as bytes, as nextpress's.
const destination = pino.destination({ dest: 1, sync: false, contentMode: "buffer" });
// In "buffer" mode sonic-boom's write takes Buffers (typed as strings); pino writes strings.
const writeBytes = destination.write;
destination.write = (line) => Reflect.apply(writeBytes, destination, [Buffer.from(line)]);
const logger = pino({ base: undefined }, destination);

const body = JSON.stringify({ message: "Hello, World!" });
const etag = () => generateETag(body);

http
  .createServer((req, res) => {
    const startedAt = performance.now();
    const id = randomUUID();
    res.on("close", () =>
      logger.info(
        {
          reqId: id,
          method: req.method,
          url: req.url,
          status: res.statusCode,
          durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
          remoteAddress: req.socket.remoteAddress,
        },
        "request completed",
      ),
    );
    res.writeHead(200, [
      ...helmetHeaders,
      "X-Request-Id",
      id,
      "Content-Type",
      "application/json; charset=utf-8",
      "ETag",
      etag(),
      "Content-Length",
      String(Buffer.byteLength(body)),
    ]);
    res.end(body);
  })
  .listen(Number(process.env.PORT), process.env.HOST);
