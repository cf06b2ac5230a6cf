// What the traced server exports to in the bench: an OTLP/HTTP endpoint that reads each export
// and answers 200, as a collector does, and nothing more. PORT from the environment.
"use strict";
const http = require("node:http");

let spans = 0;
http
  .createServer((req, res) => {
    req.on("data", () => undefined);
    req.on("end", () => {
      spans++;
      res.setHeader("Content-Type", "application/x-protobuf");
      res.end();
    });
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  process.stdout.write(`${spans} exports received\n`);
  process.exit(0);
});
