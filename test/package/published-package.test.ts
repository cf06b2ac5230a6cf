import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

// What `npm publish` would ship, installed as a user installs it: `npm pack` (its prepack builds
// dist/ when stale), the tarball installed into an empty folder, and a Next-style pages/api route
// served by `npx nextpress start`. The install is offline, from npm's cache: the folder's lockfile
// pins nextpress's dependencies to the versions in ours, which `npm ci` put in the cache.

const INSTALL_TIMEOUT_MS = 240_000;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-package-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NETWORK_VARIABLES = [
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "npm_config_cafile",
  "npm_config_registry",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
];

/** Runs a command to its end; its output when it fails. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  // npm reaches the registry as the developer's own npm does: their CA bundle and proxy settings.
  const network = Object.fromEntries(
    NETWORK_VARIABLES.flatMap((name) => {
      const value = process.env[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const env = { npm_config_update_notifier: "false", ...network };
  const spawned = spawnProcess(command, args, env, { cwd });
  const timer = setTimeout(() => void stopProcess(spawned), INSTALL_TIMEOUT_MS);
  const code = await spawned.exited.finally(() => clearTimeout(timer));
  if (code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${code}:\n${spawned.stderr()}`);
  return spawned.stdout();
}

interface PackedFile {
  path: string;
}

interface LockEntry {
  dev?: boolean;
}

/** A lockfile for a project depending on `dependency` alone, pinned as our lockfile pins it. */
function lockfileFor(name: string, dependency: string, spec: string): string {
  const ours = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, unknown> = {
    "": { name, version: "1.0.0", dependencies: { [dependency]: spec } },
  };
  for (const [key, entry] of Object.entries(ours.packages))
    if (key.startsWith("node_modules/") && !entry.dev) packages[key] = entry;
  return JSON.stringify({ name, version: "1.0.0", lockfileVersion: 3, requires: true, packages });
}

describe("the published package", () => {
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    const packDir = path.join(dir, "pack");
    mkdirSync(packDir);
    const out = await run(
      "npm",
      ["pack", "--json", "--loglevel=warn", "--pack-destination", packDir],
      PROJECT_ROOT,
    );
    // The JSON alone: npm may print around it (the prepack build, `npm notice` lines where the
    // machine's npm config sets that log level). npm 11 prints an array of packages, npm 12
    // (node:24-slim's) an object keyed by package name.
    const json = /^[[{]\n[\s\S]*?^[\]}]$/m.exec(out)?.[0];
    if (json === undefined) throw new Error(`no JSON in npm pack's output:\n${out}`);
    const parsed: unknown = JSON.parse(json);
    const [packed] = (Array.isArray(parsed) ? parsed : Object.values(parsed as object)) as {
      filename: string;
      files: PackedFile[];
    }[];
    tarball = path.join(packDir, path.basename(packed.filename));
    files = packed.files.map((file) => file.path);
  }, INSTALL_TIMEOUT_MS);

  it("holds the compiled library, its types and the README: no tests, fixtures, bench or CI", () => {
    expect(files.length).toBeLessThanOrEqual(400);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md"]));
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/cli.js",
        "dist/src/web/next-server.js",
      ]),
    );
    const outside = files.filter(
      (file) => !file.startsWith("dist/src/") && file !== "package.json" && file !== "README.md",
    );
    expect(outside).toEqual([]);
    expect(files.filter((file) => /(^|\/)(test|fixtures|bench|\.ci)\//.test(file))).toEqual([]);
  });

  describe("installed into an empty folder", () => {
    let project: string;
    let server: Spawned | undefined;

    beforeAll(async () => {
      project = path.join(dir, "app");
      mkdirSync(path.join(project, "pages", "api"), { recursive: true });
      const spec = `file:${path.relative(project, tarball)}`;
      writeFileSync(
        path.join(project, "package.json"),
        JSON.stringify({
          name: "my-next-api",
          version: "1.0.0",
          private: true,
          dependencies: { nextpress: spec },
        }),
      );
      writeFileSync(
        path.join(project, "package-lock.json"),
        lockfileFor("my-next-api", "nextpress", spec),
      );
      // A route as it is written in a Next project (the type import is erased at run time).
      writeFileSync(
        path.join(project, "pages", "api", "hello.ts"),
        [
          'import type { NextApiRequest, NextApiResponse } from "next";',
          "",
          "export default function handler(req: NextApiRequest, res: NextApiResponse) {",
          "  res.status(200).json({ message: `hello from ${req.url}` });",
          "}",
          "",
        ].join("\n"),
      );
      await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], project);
    }, INSTALL_TIMEOUT_MS);

    afterAll(async () => {
      if (server) await stopProcess(server);
    });

    it("has the nextpress command", () => {
      expect(readdirSync(path.join(project, "node_modules", ".bin"))).toContain("nextpress");
    });

    it("serves pages/api with `npx nextpress start`", async () => {
      server = spawnProcess(
        "npx",
        ["--no", "nextpress", "start"],
        { HOST: "127.0.0.1", PORT: "0", ROUTES_DIR: "pages/api" },
        { cwd: project },
      );
      const port = await waitForListening(server, 120_000);
      const response = await fetch(`http://127.0.0.1:${port}/api/hello`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ message: "hello from /api/hello" });
    }, 180_000);
  });
});
