// Loopback helpers shared by the benchmark, the soak test and the local PostgreSQL: free ports, a bodiless GET.
"use strict";
const http = require("node:http");
const net = require("node:net");

/** A port the OS says is free right now (a fixed range could collide with ephemeral client ports). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/** GET on 127.0.0.1, resolving with the status (0 when the connection failed). */
function getStatus(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", () => resolve(0));
  });
}

module.exports = { freePort, getStatus };
