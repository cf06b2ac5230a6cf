import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT, spawnProcess, stopProcess, waitForListening } from "../helpers/process";
import { isStartCacheCurrent, startCacheFile, writeStartCache } from "../../src/loader/start-cache";

// START_CACHE: a start without a build manifest imports every route, and records what it checked;
// the next start with the same files imports each route on its first request. The real server on
// raw .ts files (tsx), as a project moving from Next runs it.
const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

let root: string;
let routesDir: string;
let cacheDir: string;
let marker: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "nextpress-start-cache-"));
  routesDir = path.join(root, "routes");
  cacheDir = path.join(root, "cache");
  marker = path.join(root, "imports.log");
  mkdirSync(path.join(root, "lib"), { recursive: true });
  mkdirSync(routesDir);
  writeFileSync(
    path.join(root, "lib", "greet.ts"),
    "export const greet = (name: string) => `Hello, ${name}!`;\n",
  );
  writeFileSync(
    path.join(routesDir, "hello.ts"),
    [
      'import { appendFileSync } from "node:fs";',
      'import type { NextApiRequest, NextApiResponse } from "next";',
      'import { greet } from "../lib/greet";',
      'appendFileSync(process.env.IMPORTS_LOG as string, "hello\\n");',
      "export default function handler(_req: NextApiRequest, res: NextApiResponse) {",
      '  res.status(200).json({ message: greet("cache") });',
      "}",
      "",
    ].join("\n"),
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const imports = () =>
  existsSync(marker) ? readFileSync(marker, "utf8").split("\n").filter(Boolean).length : 0;

/** Starts the server, runs `work` once it listens, stops it; its exit code and output. */
async function start(work: (port: number) => Promise<void> = async () => undefined) {
  const server = spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: routesDir,
    START_CACHE: cacheDir,
    IMPORTS_LOG: marker,
  });
  try {
    const port = await waitForListening(server);
    await work(port);
  } catch (error) {
    if (server.child.exitCode === null) throw error;
  } finally {
    await stopProcess(server);
  }
  return { code: server.child.exitCode, stderr: server.stderr() + server.stdout() };
}

const hello = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/api/hello`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ message: "Hello, cache!" });
};

describe("the start-up cache (a real server on raw .ts routes)", () => {
  it("lets the second start import a route on its first request, and checks everything again once a file it loaded changes", async () => {
    // 1: no cache: every route imported at start-up, then recorded.
    await start(async (port) => {
      expect(imports()).toBe(1);
      await hello(port);
    });
    expect(existsSync(startCacheFile(cacheDir, routesDir, path.join(root, "app")))).toBe(true);
    // 2: the same files: nothing imported until the first request.
    await start(async (port) => {
      expect(imports()).toBe(1);
      await hello(port);
      expect(imports()).toBe(2);
    });
    // 3: a file the route imports (not a route itself) breaks: start-up imports it, and stops.
    writeFileSync(path.join(root, "lib", "greet.ts"), 'throw new Error("greet broke");\n');
    const broken = await start();
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/hello\.ts: throws on import: Error: greet broke/);
    // 4: mended: imported at start-up again (the failed start wrote nothing), then lazy once more.
    writeFileSync(
      path.join(root, "lib", "greet.ts"),
      "export const greet = (n: string) => `Hello, ${n}!`;\n",
    );
    await start(async (port) => {
      expect(imports()).toBe(3);
      await hello(port);
    });
    await start(async () => expect(imports()).toBe(3));
    // 5: a new route file: everything imported at start-up.
    writeFileSync(
      path.join(routesDir, "other.ts"),
      "export default function h(_q: unknown, r: { end(): void }) { r.end(); }\n",
    );
    await start(async () => expect(imports()).toBe(4));
  }, 120_000);

  it("is not written or read with START_CACHE=off", async () => {
    const server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: routesDir,
      START_CACHE: "off",
      IMPORTS_LOG: marker,
    });
    try {
      await waitForListening(server);
    } finally {
      await stopProcess(server);
    }
    expect(imports()).toBe(1);
    expect(existsSync(cacheDir)).toBe(false);
  }, 60_000);
});

describe("isStartCacheCurrent", () => {
  const ROUTES = ["hello.ts"];
  const file = () => startCacheFile(cacheDir, routesDir, undefined);
  const lib = () => path.join(root, "lib", "greet.ts");

  it("holds for the same route files and unchanged loaded files only", async () => {
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(false);
    expect(await writeStartCache(file(), routesDir, ROUTES, [lib()])).toBe(true);
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(true);
    expect(await isStartCacheCurrent(file(), routesDir, [...ROUTES, "b.ts"])).toBe(false);
    expect(await isStartCacheCurrent(file(), path.join(root, "elsewhere"), ROUTES)).toBe(false);
    writeFileSync(lib(), "export const greet = 1;\n");
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(false);
  });

  it("does not hold for a cache another Node or nextpress build wrote, or a damaged one", async () => {
    await writeStartCache(file(), routesDir, ROUTES, [lib()]);
    const written = JSON.parse(readFileSync(file(), "utf8")) as { runtime: string };
    writeFileSync(file(), JSON.stringify({ ...written, runtime: "v0.0.0 elsewhere 0" }));
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(false);
    writeFileSync(file(), "{ not json");
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(false);
  });

  it("does not hold for a cache file another user owns (the default folder is shared /tmp)", async () => {
    await writeStartCache(file(), routesDir, ROUTES, [lib()]);
    expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(true);
    const getuid = jest.spyOn(process, "getuid").mockReturnValue(12345);
    try {
      expect(await isStartCacheCurrent(file(), routesDir, ROUTES)).toBe(false);
    } finally {
      getuid.mockRestore();
    }
  });

  it("is written nowhere it cannot write, without failing", async () => {
    writeFileSync(path.join(root, "not-a-folder"), "");
    const inside = startCacheFile(path.join(root, "not-a-folder"), routesDir, undefined);
    expect(await writeStartCache(inside, routesDir, ROUTES, [])).toBe(false);
  });
});
