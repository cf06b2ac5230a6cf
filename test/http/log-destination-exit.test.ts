import { spawnSync } from "node:child_process";
import path from "node:path";

// The batched destination of the process logger (src/http/log-destination.ts), in a real process.
describe("createBatchedDestination on exit", () => {
  it("writes what it still held when the process exits", () => {
    // A process that logs and exits at once, before the hand-over is due: the line is in its output.
    const script = [
      `const pino = require("pino");`,
      `const { createBatchedDestination } = require(${JSON.stringify(path.resolve(__dirname, "../../dist/src/http/log-destination.js"))});`,
      `const logger = pino({ base: undefined }, createBatchedDestination(pino.destination({ dest: 1, sync: false })));`,
      `logger.info("last words");`,
      `process.exit(0);`,
    ].join("\n");
    const child = spawnSync(process.execPath, ["-e", script], {
      cwd: path.resolve(__dirname, "../.."),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('"msg":"last words"');
  });
});
