import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { buildTestApp, fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");

async function cli(args: string[], env: Record<string, string> = {}, command = [CLI]) {
  const spawned = spawnProcess("node", [...command, ...args], { LOG_LEVEL: "silent", ...env });
  const code = await spawned.exited;
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-openapi-cli-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("nextpress openapi", () => {
  it("prints the document that the server serves at /openapi.json, without starting a server", async () => {
    const { code, stdout, stderr } = await cli(["openapi"], {
      ROUTES_DIR: fixture("openapi-rich"),
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const { app } = await buildTestApp("openapi-rich");
    const served = await request(app).get("/openapi.json");
    expect(JSON.parse(stdout)).toStrictEqual(served.body);
    expect(stdout).not.toContain("listening");
  });

  it("writes the file given by --out, and says so on stderr", async () => {
    const out = path.join(dir, "openapi.json");
    const { code, stdout, stderr } = await cli(["openapi", "--out", out], {
      ROUTES_DIR: fixture("openapi-rich"),
    });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(`wrote the OpenAPI document to ${out}`);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({
      openapi: "3.1.0",
      info: { title: "rich-api" },
    });
  });

  it("runs through scripts/cli.js as `npm run openapi` does, on the sample routes by default", async () => {
    const { code, stdout } = await cli(["openapi"], {}, ["scripts/cli.js"]);
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(stdout).paths)).toStrictEqual([
      "/api/admin/stats",
      "/api/edge-echo",
      "/api/hello",
      "/api/secure-data",
      "/api/users",
      "/api/users/{id}",
      "/api/users/{id}/avatar",
      "/api/chat/{room}",
      "/api/greet/{name}",
    ]);
  }, 120_000);

  it("exits 1 naming the files when the routes or their metadata cannot be documented", async () => {
    const bad = await cli(["openapi"], { ROUTES_DIR: fixture("openapi-problems") });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain('first.ts and second.ts: both use the operationId "sameName"');
    const invalid = await cli(["openapi"], { ROUTES_DIR: fixture("openapi-bad-metadata") });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('misspelt.ts: invalid `openapi`: unknown key "summry"');
  });

  it.each([
    ["an unknown flag", ["openapi", "--yaml"], "Usage: nextpress openapi [--out file]"],
    ["a stray argument", ["openapi", "extra"], "Usage: nextpress openapi [--out file]"],
    ["--out without a file", ["postman", "--out"], "Usage: nextpress postman [--out file]"],
  ])("exits 2 with the usage for %s", async (_case, args, usage) => {
    const { code, stdout, stderr } = await cli(args, { ROUTES_DIR: fixture("openapi-rich") });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(usage);
  });

  it("prints its help with --help, and both commands are in the usage", async () => {
    expect((await cli(["openapi", "--help"])).stdout).toContain(
      "Usage: nextpress openapi [--out file]",
    );
    expect((await cli(["postman", "-h"])).stdout).toContain(
      "Usage: nextpress postman [--out file]",
    );
    const usage = await cli(["--help"]);
    expect(usage.stdout).toMatch(/openapi +print the routes' OpenAPI 3\.1 document/);
    expect(usage.stdout).toMatch(/postman +print a Postman collection/);
  });
});

describe("nextpress postman", () => {
  it("writes a Postman v2.1 collection with --out", async () => {
    const out = path.join(dir, "collection.json");
    const { code, stderr } = await cli(["postman", "--out", out], {
      ROUTES_DIR: fixture("openapi-rich"),
      PORT: "4321",
    });
    expect(stderr).toContain("wrote the Postman collection");
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const collection = JSON.parse(readFileSync(out, "utf8"));
    expect(collection.info).toMatchObject({
      name: "rich-api",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    });
    expect(collection.variable).toContainEqual(
      expect.objectContaining({ key: "baseUrl", value: "http://localhost:4321" }),
    );
  }, 60_000);
});
