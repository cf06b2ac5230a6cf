import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { RouteRow } from "../../src/cli/route-table";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");

/** Runs the compiled CLI to completion: its exit code and everything it printed. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const spawned = spawnProcess("node", [CLI, ...args], { LOG_LEVEL: "silent", ...env });
  const code = await spawned.exited;
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

beforeAll(() => {
  if (!existsSync(CLI)) execFileSync("node", ["scripts/build.js"], { cwd: PROJECT_ROOT });
}, 120_000);

describe("nextpress routes", () => {
  it("--json prints the route table as JSON on stdout and exits 0", async () => {
    const { code, stdout, stderr } = await cli(["routes", "--json"], {
      ROUTES_DIR: fixture("cli-routes"),
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as RouteRow[];
    expect(rows.map((r) => r.file)).toStrictEqual([
      "admin/public.ts",
      "admin/stats.ts",
      "big.ts",
      "custom-auth.ts",
      "defined-wrapped.ts",
      "hello.ts",
      "mixed.ts",
      "nested.ts",
      "posts/[id].ts",
      "upload.ts",
      "users.ts",
      "wrapped.ts",
      "writes-protected.ts",
    ]);
    expect(rows.find((r) => r.file === "admin/stats.ts")).toStrictEqual({
      pattern: "/api/admin/stats",
      style: "pages",
      methods: ["GET", "HEAD", "OPTIONS"],
      file: "admin/stats.ts",
      middleware: ["authenticate"],
      protected: true,
      schema: false,
      bodyLimit: "1mb",
    });
    expect(rows.filter((r) => r.protected).map((r) => r.file)).toStrictEqual([
      "admin/stats.ts",
      "custom-auth.ts",
      "defined-wrapped.ts",
      "nested.ts",
      "wrapped.ts",
      "writes-protected.ts",
    ]);
  });

  it("gives the same table through scripts/cli.js, as `npm run routes` runs it", async () => {
    const env = { ROUTES_DIR: fixture("cli-routes"), LOG_LEVEL: "silent" };
    const viaScript = spawnProcess("node", ["scripts/cli.js", "routes", "--json"], env);
    expect(await viaScript.exited).toBe(0);
    const direct = await cli(["routes", "--json"], env);
    expect(JSON.parse(viaScript.stdout())).toStrictEqual(JSON.parse(direct.stdout));
  }, 120_000);

  it("uses BODY_LIMIT as the default body limit", async () => {
    const { stdout } = await cli(["routes", "--json"], {
      ROUTES_DIR: fixture("cli-routes"),
      BODY_LIMIT: "256kb",
    });
    const rows = JSON.parse(stdout) as RouteRow[];
    expect(rows.find((r) => r.file === "hello.ts")?.bodyLimit).toBe("256kb");
    expect(rows.find((r) => r.file === "big.ts")?.bodyLimit).toBe("5mb");
  });

  it("prints an aligned text table without --json", async () => {
    const { code, stdout } = await cli(["routes"], { ROUTES_DIR: fixture("cli-routes") });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ROUTE +STYLE +METHODS +FILE +MIDDLEWARE +AUTH +SCHEMA +BODY LIMIT$/);
    expect(lines).toHaveLength(14);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\/api\/custom-auth +pages +ANY +custom-auth\.ts +audit → authenticate +yes +no +1mb$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\/api\/upload +pages +PUT,OPTIONS +upload\.ts +- +no +no +off$/),
    );
  });

  it("exits 1 naming the broken files when the routes cannot load", async () => {
    const { code, stdout, stderr } = await cli(["routes", "--json"], {
      ROUTES_DIR: fixture("mw-bad-directory"),
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("empty/_middleware.ts: exports no middleware");
    expect(stderr).toContain("two/_middleware.js and two/_middleware.ts");
  });

  it("exits 1 when ROUTES_DIR does not exist", async () => {
    const { code, stderr } = await cli(["routes"], { ROUTES_DIR: "no/such/folder" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not exist/);
  });

  it("exits 1 naming a bad variable", async () => {
    const { code, stderr } = await cli(["routes"], {
      ROUTES_DIR: fixture("cli-routes"),
      BODY_LIMIT: "lots",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/BODY_LIMIT="lots"/);
  });

  it.each([
    ["an unknown flag", ["routes", "--yaml"]],
    ["a stray argument", ["routes", "extra"]],
    ["a value for a boolean flag", ["routes", "--json=yes"]],
  ])("exits 2 with the usage for %s", async (_case, args) => {
    const { code, stdout, stderr } = await cli(args, { ROUTES_DIR: fixture("cli-routes") });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: nextpress routes [--json]");
  });

  it("prints its help with --help and exits 0", async () => {
    const { code, stdout } = await cli(["routes", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: nextpress routes [--json]");
  });
});

describe("the nextpress command", () => {
  it("exits 2 for an unknown command", async () => {
    const { code, stderr } = await cli(["rutes"]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "rutes"');
  });
});
