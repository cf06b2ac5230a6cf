import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import pg from "pg";
import { eventually } from "../hostile/support";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";
import { startSampleServer, type SampleServer } from "./support";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

// What the users resource keeps, and what /readyz says, when processes and servers come and go.
let dataDir: string;
const servers: SampleServer[] = [];
const start = async (env: Record<string, string>) => {
  const server = await startSampleServer(env);
  servers.push(server);
  return server;
};

beforeEach(() => (dataDir = mkdtempSync(path.join(os.tmpdir(), "nextpress-durable-"))));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

const status = async (server: SampleServer, url: string) =>
  (await fetch(`${server.base}${url}`)).status;

describe("the embedded engine", () => {
  it("keeps its users across a restart: SIGTERM, then a new process on the same DATA_DIR", async () => {
    const first = await start({ DATA_DIR: dataDir });
    const created = await first.call("POST", "/api/users", {
      body: { name: "Ada", email: "ada@example.com" },
    });
    expect(created.status).toBe(201);
    expect(await first.stop()).toBe(0);
    expect(first.spawned.stdout()).toContain("server closed");

    const second = await start({ DATA_DIR: dataDir });
    expect(await second.call("GET", `/api/users/${created.body.id}`)).toMatchObject({
      status: 200,
      body: created.body,
    });
    expect((await second.call("GET", "/api/users")).body).toMatchObject({
      total: 1,
      users: [created.body],
    });
    // The sequence went on from where it was: no id is handed out twice.
    const next = await second.call("POST", "/api/users", {
      body: { name: "Grace", email: "grace@example.com" },
    });
    expect(next.body.id).toBeGreaterThan(created.body.id);
  }, 120_000);

  it("keeps every acknowledged row when killed (SIGKILL) in the middle of a write burst", async () => {
    const first = await start({ DATA_DIR: dataDir });
    const acknowledged: { id: number; email: string }[] = [];
    let writing = true;
    const writer = async (lane: number) => {
      for (let i = 0; writing; i++) {
        const email = `burst-${lane}-${i}@example.com`;
        const reply = await first
          .call("POST", "/api/users", { body: { name: "Burst", email } })
          .catch(() => undefined);
        if (reply?.status === 201) acknowledged.push({ id: reply.body.id, email });
      }
    };
    const lanes = Array.from({ length: 8 }, (_, lane) => writer(lane));
    await eventually(async () => acknowledged.length >= 50, 30_000, "50 acknowledged writes");
    expect(await first.stop("SIGKILL")).toBeNull();
    writing = false;
    await Promise.all(lanes);

    const second = await start({ DATA_DIR: dataDir });
    const kept = new Map<number, string>();
    let next: string | null = "/api/users?limit=100";
    while (next) {
      const page: { body: { users: { id: number; email: string }[]; next: string | null } } =
        await second.call("GET", next);
      for (const user of page.body.users) kept.set(user.id, user.email);
      next = page.body.next;
    }
    const lost = acknowledged.filter(({ id, email }) => kept.get(id) !== email);
    expect(lost).toEqual([]);
  }, 120_000);

  it("serves WORKERS=2 from one DATA_DIR: 20 concurrent sign-ups with one email give one 201 and nineteen 409s", async () => {
    const server = await start({ DATA_DIR: dataDir, WORKERS: "2" });
    // Each on a connection of its own: the primary hands connections to the workers in turn.
    const post = (i: number) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = http.request(
          `${server.base}/api/users`,
          { method: "POST", agent: false, headers: { "content-type": "application/json" } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ name: `Racer ${i}`, email: "race@example.com" }));
      });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i)));
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    // Both workers answered some of them (their log lines name them).
    const pids = () =>
      new Set(
        [...server.spawned.stdout().matchAll(/"pid":(\d+)[^\n]*"url":"\/api\/users"/g)].map(
          (m) => m[1],
        ),
      );
    // A worker still starting may have got none of the 20: further reads, each on a new connection
    // (fetch() would keep reusing one, so one worker), reach it once it listens.
    const freshGet = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get(`${server.base}/api/users`, { agent: false }, (res) => {
            res.resume();
            res.on("end", resolve);
          })
          .on("error", reject);
      });
    await eventually(
      async () => {
        if (pids().size === 2) return true;
        await freshGet();
        return pids().size === 2;
      },
      30_000,
      "both workers in the log",
    );
    expect((await server.call("GET", "/api/users")).body.total).toBe(1);
  }, 120_000);

  it("three servers starting at once on a new DATA_DIR migrate it once and share its users", async () => {
    const three = await Promise.all([0, 1, 2].map(() => start({ DATA_DIR: dataDir })));
    const created = await three[0].call("POST", "/api/users", {
      body: { name: "Ada", email: "ada@example.com" },
    });
    expect(created.status).toBe(201);
    for (const server of three) {
      expect(await status(server, "/readyz")).toBe(200);
      expect(await server.call("GET", `/api/users/${created.body.id}`)).toMatchObject({
        status: 200,
        body: created.body,
      });
    }
  }, 120_000);
});

// Start-up refusals: exit 1 with one line naming DATA_DIR, and no restarts (WORKERS=2: the primary stops).
describe("the embedded engine refuses to start, naming DATA_DIR and the way out", () => {
  const refuse = async (dir: string, expected: string | RegExp) => {
    for (const workers of ["1", "2"]) {
      const server = spawnProcess("node", [MAIN], {
        HOST: "127.0.0.1",
        PORT: "0",
        WORKERS: workers,
        DATA_DIR: dir,
      });
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toMatch(expected);
      if (workers === "2")
        expect(server.stdout()).toMatch(/"role":"primary"[^\n]*failed to start: stopping/);
    }
  };
  const mounts: string[] = [];
  afterEach(() => {
    for (const mount of mounts.splice(0)) spawnSync("umount", [mount]);
  });
  // A tmpfs of our own (root, as in CI); otherwise the database file is /dev/full, which cannot grow.
  const mountTmpfs = (options: string) => {
    const result = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dataDir]);
    if (result.status === 0) mounts.push(dataDir);
    return result.status === 0;
  };
  const isRoot = process.getuid?.() === 0;

  /**
   * A folder root cannot write: a read-only tmpfs of our own, or, where root may not mount (a
   * container without CAP_SYS_ADMIN, as on a fresh machine), a folder of a read-only mount the
   * machine already has (sysfs in a container).
   */
  const readOnlyFolder = (): string => {
    if (mountTmpfs("ro,size=1m")) return dataDir;
    const readOnly = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" "))
      .find(([, point, type, options]) => {
        if (!point || type === "proc" || !options?.split(",").includes("ro")) return false;
        return spawnSync("test", ["-d", point]).status === 0;
      });
    if (!readOnly?.[1])
      throw new Error("root here can neither mount a tmpfs nor find a read-only mount to use");
    return readOnly[1];
  };

  it("a read-only DATA_DIR", async () => {
    let dir = dataDir;
    if (isRoot) dir = readOnlyFolder();
    else chmodSync(dataDir, 0o555);
    await refuse(dir, `DATA_DIR ${dir} cannot be written`);
  }, 60_000);

  it("a full disk: the first write fails", async () => {
    if (isRoot && mountTmpfs("size=64k")) {
      // Fill it: nothing more can be written.
      spawnSync("dd", ["if=/dev/zero", `of=${path.join(dataDir, "filler")}`, "bs=4k"]);
    } else {
      // Not root, or root that may not mount: a database file that cannot grow (ENOSPC for root too).
      symlinkSync("/dev/full", path.join(dataDir, "nextpress.db"));
    }
    await refuse(
      dataDir,
      new RegExp(`DATA_DIR ${dataDir}: cannot open or write nextpress.db \\(.*full`),
    );
  }, 60_000);

  it("a damaged file, which it leaves as it is", async () => {
    const file = path.join(dataDir, "nextpress.db");
    const garbage = Buffer.from("not a database ".repeat(512));
    writeFileSync(file, garbage);
    await refuse(dataDir, `DATA_DIR ${dataDir}: nextpress.db is not a sound SQLite database`);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  }, 60_000);

  it("a folder where an earlier nextpress kept its users in PGlite", async () => {
    writeFileSync(path.join(dataDir, "PG_VERSION"), "17\n");
    await refuse(dataDir, `DATA_DIR ${dataDir} holds a PGlite database from an earlier nextpress`);
  }, 60_000);
});

describe("PostgreSQL", () => {
  let postgres: LocalPostgres;
  beforeAll(async () => (postgres = await startPostgres()), 60_000);
  afterAll(() => postgres?.destroy(), 30_000);

  it("/readyz is 503 while PostgreSQL is down and requests get a 503; both recover when it is back, data intact", async () => {
    const server = await start({ DATABASE_URL: await postgres.createDatabase("readiness") });
    const created = await server.call("POST", "/api/users", {
      body: { name: "Ada", email: "ada@example.com" },
    });
    expect(await status(server, "/readyz")).toBe(200);

    await postgres.stop();
    expect(await status(server, "/readyz")).toBe(503);
    expect(await status(server, "/healthz")).toBe(200);
    expect(await server.call("GET", `/api/users/${created.body.id}`)).toMatchObject({
      status: 503,
      body: { message: "The database is unavailable: try again later" },
    });
    expect(
      (
        await server.call("POST", "/api/users", {
          body: { name: "Lost", email: "lost@example.com" },
        })
      ).status,
    ).toBe(503);

    await postgres.start();
    await eventually(async () => (await status(server, "/readyz")) === 200, 30_000, "ready again");
    expect(await server.call("GET", "/api/users")).toMatchObject({
      status: 200,
      body: { total: 1, users: [created.body] },
    });
    expect(server.spawned.child.exitCode).toBeNull();
    expect(server.spawned.stdout()).not.toMatch(/"level":60/);
  }, 120_000);

  it("a query that fails logs its SQLSTATE and constraint, never the user's data", async () => {
    const url = await postgres.createDatabase("logging");
    const server = await start({ DATABASE_URL: url });
    // A constraint the schemas do not know of: PostgreSQL's error then quotes the whole row.
    const pool = new pg.Pool({ connectionString: url });
    try {
      await pool.query("alter table users add constraint no_agents check (name <> 'Secret Agent')");
    } finally {
      await pool.end();
    }
    const reply = await server.call("POST", "/api/users", {
      body: { name: "Secret Agent", email: "secret.agent@example.com" },
    });
    expect(reply).toMatchObject({ status: 500, body: { message: "Internal Server Error" } });
    await eventually(
      async () => /"level":50/.test(server.spawned.stdout()),
      10_000,
      "the error logged",
    );
    const line = server.spawned
      .stdout()
      .split("\n")
      .find((entry) => entry.includes('"level":50'));
    expect(line).toMatch(/23514.*no_agents/);
    expect(line).not.toMatch(/Secret Agent|secret\.agent/);
  }, 60_000);

  it("refuses to start, naming the problem, when DATABASE_URL is not a PostgreSQL URL or the server cannot be reached", async () => {
    const bad = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: "mysql://db/app",
    });
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toMatch(
      /register\(\) failed: Error: Invalid database configuration:\n\s+DATABASE_URL: expected postgres:\/\/user:password@host:5432\/database/,
    );
    await expect(start({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" })).rejects.toThrow(
      /register\(\) failed: .*ECONNREFUSED/,
    );
  }, 60_000);
});
