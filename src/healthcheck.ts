import http from "node:http";
import { loadConfig } from "./config";

/**
 * The Docker HEALTHCHECK: GET /healthz on this container's own port, exit 0 on 200.
 * Plain Node, so the image needs no curl or wget.
 */
const { port } = loadConfig();
const request = http.get({ host: "127.0.0.1", port, path: "/healthz", timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on("timeout", () => request.destroy(new Error("timed out")));
request.on("error", () => process.exit(1));
