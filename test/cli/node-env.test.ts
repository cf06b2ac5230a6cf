import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fixture } from "../helpers/app";
import { freePort } from "../helpers/nginx";
import { PROJECT_ROOT, spawnProcess, stopProcess, type Spawned } from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");
const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const ROUTES_DIR = path.join(fixture("node-env"), "routes");

beforeAll(() => {
  if (!existsSync(CLI)) execFileSync("node", ["scripts/build.js"], { cwd: PROJECT_ROOT });
}, 120_000);

let running: Spawned | undefined;
afterEach(async () => {
  if (running) await stopProcess(running);
  running = undefined;
});

/** Starts `args` with the fixture whose env.js validates NODE_ENV at import (as create-t3-app's), and reads /api/env. */
async function nodeEnvSeenBy(args: string[], env: Record<string, string> = {}) {
  const port = await freePort();
  running = spawnProcess("node", args, {
    ROUTES_DIR,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    ...env,
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && running.child.exitCode === null) {
    const answer = await fetch(`http://127.0.0.1:${port}/api/env`).catch(() => undefined);
    if (answer?.status === 200) return (await answer.json()) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer:\n${running.stdout()}\n${running.stderr()}`);
}

describe("NODE_ENV, as next start / next dev set it", () => {
  it("nextpress start sets production when it is unset, before the routes load", async () => {
    expect(await nodeEnvSeenBy([CLI, "start"])).toEqual({
      file: "env.ts",
      validated: "production",
      now: "production",
    });
  }, 90_000);

  it("node dist/src/main.js (the image's entry) sets production too", async () => {
    expect(await nodeEnvSeenBy([MAIN])).toMatchObject({ validated: "production" });
  }, 90_000);

  it("an explicit NODE_ENV wins, an empty one counts as unset", async () => {
    expect(await nodeEnvSeenBy([CLI, "start"], { NODE_ENV: "test" })).toMatchObject({
      validated: "test",
    });
    await stopProcess(running as Spawned);
    expect(await nodeEnvSeenBy([CLI, "start"], { NODE_ENV: "" })).toMatchObject({
      validated: "production",
    });
  }, 120_000);

  it("nextpress dev sets development, in the worker that imports the routes", async () => {
    expect(await nodeEnvSeenBy([CLI, "dev"])).toMatchObject({
      validated: "development",
      now: "development",
    });
  }, 90_000);
});
