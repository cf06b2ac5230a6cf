import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixture } from "../helpers/app";
import { freePort } from "../helpers/nginx";
import { PROJECT_ROOT, spawnProcess, stopProcess, type Spawned } from "../helpers/process";

// `nextpress dev` with CLIENT_DIR: the typed client follows the routes folder.
jest.setTimeout(180_000);

let dir: string;
let dev: Spawned | undefined;
afterEach(async () => {
  if (dev) await stopProcess(dev);
  rmSync(dir, { recursive: true, force: true });
});

async function waitForText(file: string, text: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // Not written yet.
    }
    if (current.includes(text)) return;
    if (Date.now() > deadline || dev?.child.exitCode != null)
      throw new Error(
        `${file} never held ${text}:\n${dev?.stdout().slice(-3000)}\n${dev?.stderr()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it("writes the client at start-up and again when a route is added", async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-dev-client-"));
  cpSync(fixture("client-tree"), dir, { recursive: true });
  // The routes import zod, as a project's would: from its node_modules.
  symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"));
  const clientDir = path.join(dir, "client");
  dev = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
    ROUTES_DIR: path.join(dir, "routes"),
    APP_DIR: path.join(dir, "app"),
    CLIENT_DIR: clientDir,
    PORT: String(await freePort()),
    HOST: "127.0.0.1",
    LOG_FORMAT: "json",
  });
  await waitForText(path.join(clientDir, "api.d.ts"), "listNotes(");
  writeFileSync(
    path.join(dir, "routes", "added.ts"),
    [
      'import { defineRoute } from "nextpress";',
      "export const GET = defineRoute({",
      '  openapi: { operationId: "addedLater" },',
      "  handler(_req, res) {",
      "    res.json({});",
      "  },",
      "});",
      "",
    ].join("\n"),
  );
  await waitForText(path.join(clientDir, "api.d.ts"), "addedLater(");
  expect(readFileSync(path.join(clientDir, "index.ts"), "utf8")).toContain(
    '"addedLater GET /api/added",',
  );
});
