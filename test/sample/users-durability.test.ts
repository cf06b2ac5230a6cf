import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eventually } from "../hostile/support";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";
import { startSampleServer, type SampleServer } from "./support";

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

  it("keeps what it committed when the process is killed, and the next process takes the folder at once", async () => {
    const first = await start({ DATA_DIR: dataDir });
    const created = await first.call("POST", "/api/users", {
      body: { name: "Ada", email: "ada@example.com" },
    });
    expect(created.status).toBe(201);
    expect(await first.stop("SIGKILL")).toBeNull();
    expect(existsSync(path.join(dataDir, "nextpress.lock"))).toBe(true);

    const second = await start({ DATA_DIR: dataDir });
    expect(await status(second, "/readyz")).toBe(200);
    expect(await second.call("GET", `/api/users/${created.body.id}`)).toMatchObject({
      status: 200,
      body: created.body,
    });
  }, 120_000);

  it("refuses WORKERS=2 at start-up, naming both ways out: the workers would queue on the folder, all but one never ready", async () => {
    const server = spawnProcess("node", [path.join(PROJECT_ROOT, "dist", "src", "main.js")], {
      HOST: "127.0.0.1",
      PORT: "0",
      WORKERS: "2",
      DATA_DIR: dataDir,
    });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain(
      "WORKERS=2 starts 2 server processes, and the embedded database (DATA_DIR) serves one: set WORKERS=1, or DATABASE_URL",
    );
    expect(server.stdout()).toMatch(/"role":"primary"[^\n]*failed to start: stopping/);
    expect(existsSync(path.join(dataDir, "nextpress.lock"))).toBe(false);
  }, 60_000);

  it("is one process's: a second server on the same DATA_DIR is not ready until the first one leaves", async () => {
    const first = await start({ DATA_DIR: dataDir });
    const created = await first.call("POST", "/api/users", {
      body: { name: "Ada", email: "ada@example.com" },
    });
    const second = await start({ DATA_DIR: dataDir });
    expect(second.spawned.stderr()).toContain(
      `DATA_DIR ${dataDir} is in use by process ${first.spawned.child.pid}`,
    );
    expect(await status(second, "/readyz")).toBe(503);
    expect(await status(second, "/healthz")).toBe(200);
    // The first one still serves, alone.
    expect((await first.call("GET", "/api/users")).body.total).toBe(1);

    expect(await first.stop()).toBe(0);
    await eventually(
      async () => (await status(second, "/readyz")) === 200,
      30_000,
      "the second server ready",
    );
    expect(await second.call("GET", `/api/users/${created.body.id}`)).toMatchObject({
      status: 200,
      body: created.body,
    });
  }, 120_000);
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

  it("refuses to start, naming the problem, when DATABASE_URL is not a PostgreSQL URL or the server cannot be reached", async () => {
    const bad = spawnProcess("node", [path.join(PROJECT_ROOT, "dist", "src", "main.js")], {
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
