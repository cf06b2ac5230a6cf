import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");
// Each case spawns the CLI a few times, each loading a routes tree: minutes on a busy 2-core machine.
jest.setTimeout(180_000);

const TREE = { ROUTES_DIR: fixture("client-tree/routes"), APP_DIR: fixture("client-tree/app") };

async function cli(args: string[], env: Record<string, string> = TREE, command = [CLI]) {
  const spawned = spawnProcess("node", [...command, ...args], { LOG_LEVEL: "silent", ...env });
  const code = await spawned.exited;
  return { code, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-client-cli-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("nextpress client", () => {
  it("writes <dir>/index.ts and says so; a second run finds it current", async () => {
    const out = path.join(dir, "api");
    const first = await cli(["client", "--out", out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`wrote the typed client to ${out} (index.ts, api.d.ts)`);
    expect(readFileSync(path.join(out, "api.d.ts"), "utf8")).toContain("listNotes(");
    expect(readFileSync(path.join(out, "index.ts"), "utf8")).toContain(
      '"listNotes GET /api/notes",',
    );
    const second = await cli(["client", "--out", out]);
    expect(second.stderr).toContain("is current");
  });

  it("refuses to run without --out (exit 2, with the help)", async () => {
    const { code, stderr } = await cli(["client"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--out <dir> is required");
  });
});

describe("nextpress check --client (the drift gate)", () => {
  it("passes on a fresh client and fails, naming the fix, once it differs or is missing", async () => {
    const out = path.join(dir, "gate");
    expect((await cli(["client", "--out", out])).code).toBe(0);
    const fresh = await cli(["check", "--client", out]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`the client in ${out} is current`);

    appendFileSync(path.join(out, "api.d.ts"), "// edited by hand\n");
    const stale = await cli(["check", "--client", out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`run \`nextpress client --out ${out}\``);

    const missing = await cli(["check", "--client", path.join(dir, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("index.ts, api.d.ts missing or different");
  });

  it("holds for this repository: the committed client/ is what `npm run client` writes", async () => {
    const { code, stderr } = await cli(["check", "--client", "client"], {}, ["scripts/cli.js"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
