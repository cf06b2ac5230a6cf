import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { createApp } from "../../src/app/create-app";
import { loadConfig } from "../../src/config";
import { RouteLoadError } from "../../src/errors";
import { isManifestCurrent, writeManifest } from "../../src/loader/manifest";
import { captureLogger } from "../helpers/app";

const ROUTE = (label: string) =>
  `module.exports = (req, res) => { globalThis.__imports = (globalThis.__imports || []).concat(${JSON.stringify(label)}); res.json({ route: ${JSON.stringify(label)} }); };\n`;

function tree(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-manifest-"));
  writeFileSync(path.join(dir, "a.js"), ROUTE("a"));
  mkdirSync(path.join(dir, "nested"));
  writeFileSync(path.join(dir, "nested", "[id].js"), ROUTE("nested"));
  return dir;
}

const FILES = ["a.js", "nested/[id].js"];

describe("the routes manifest", () => {
  let dir: string;
  beforeEach(() => {
    dir = tree();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is not current when it is damaged or of another shape", async () => {
    const write = (text: string) => writeFileSync(path.join(dir, ".nextpress-manifest.json"), text);
    write("{ not json");
    expect(await isManifestCurrent(dir, FILES)).toBe(false);
    write(
      JSON.stringify({
        version: 1,
        files: [
          ["a.js", "12", 0],
          ["nested/[id].js", 1, 0],
        ],
      }),
    );
    expect(await isManifestCurrent(dir, FILES)).toBe(false);
    write(JSON.stringify({ files: [] }));
    expect(await isManifestCurrent(dir, [])).toBe(false);
  });

  it("is current right after it is written", async () => {
    await writeManifest(dir, FILES);
    expect(await isManifestCurrent(dir, FILES)).toBe(true);
  });

  it("is not current when there is none, or a file was added, removed, resized or touched", async () => {
    expect(await isManifestCurrent(dir, FILES)).toBe(false);
    await writeManifest(dir, FILES);
    expect(await isManifestCurrent(dir, [...FILES, "b.js"])).toBe(false);
    expect(await isManifestCurrent(dir, ["a.js"])).toBe(false);
    writeFileSync(path.join(dir, "a.js"), ROUTE("a-but-longer"));
    expect(await isManifestCurrent(dir, FILES)).toBe(false);
    await writeManifest(dir, FILES);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(dir, "a.js"), later, later);
    expect(await isManifestCurrent(dir, FILES)).toBe(false);
  });
});

describe("createApp({ lazyRoutes: true })", () => {
  let dir: string;
  beforeEach(() => {
    dir = tree();
    (globalThis as { __imports?: string[] }).__imports = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const build = () =>
    createApp(loadConfig({ ROUTES_DIR: dir }), {
      logger: captureLogger().logger,
      lazyRoutes: true,
    });

  it("with a current manifest, imports a route on its first request only", async () => {
    await writeManifest(dir, FILES);
    const { app, routes, lazy } = await build();
    expect(lazy).toBe(true);
    expect(routes.map((route) => [route.file, "load" in route])).toEqual([
      ["a.js", true],
      ["nested/[id].js", true],
    ]);
    const imported = () => (globalThis as { __imports?: string[] }).__imports;
    const res = await request(app).get("/api/nested/7");
    expect(res.body).toEqual({ route: "nested" });
    expect(imported()).toEqual(["nested"]);
    expect((await request(app).get("/api/a")).body).toEqual({ route: "a" });
    expect((await request(app).get("/api/openapi-is-not-here")).status).toBe(404);
    const doc = await request(app).get("/openapi.json");
    expect(Object.keys(doc.body.paths)).toEqual(["/api/a", "/api/nested/{id}"]);
  });

  it("without a current manifest, imports everything at start-up, so a broken file still stops it", async () => {
    await writeManifest(dir, FILES);
    writeFileSync(path.join(dir, "a.js"), "throw new Error('a.js broke after the build');\n");
    await expect(build()).rejects.toThrow(RouteLoadError);
    await expect(build()).rejects.toThrow(
      /a\.js: throws on import: Error: a\.js broke after the build/,
    );
  });
});

describe("nextpress check", () => {
  const { spawnSync } =
    jest.requireActual<typeof import("node:child_process")>("node:child_process");
  const cli = path.join(__dirname, "..", "..", "dist", "src", "cli.js");
  const check = (routesDir: string) =>
    spawnSync(process.execPath, [cli, "check", "--write-manifest"], {
      env: { PATH: process.env.PATH, ROUTES_DIR: routesDir, LOG_LEVEL: "silent" },
      encoding: "utf8",
    });

  it("imports every route and writes the manifest that lets start-up load lazily", async () => {
    const dir = tree();
    try {
      const result = check(dir);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/2 routes .* load cleanly; manifest written/);
      expect(await isManifestCurrent(dir, FILES)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 naming a broken file, and writes no manifest", async () => {
    const dir = tree();
    try {
      writeFileSync(path.join(dir, "a.js"), "throw new Error('broken at build time');\n");
      const result = check(dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/a\.js: throws on import: Error: broken at build time/);
      expect(await isManifestCurrent(dir, FILES)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
