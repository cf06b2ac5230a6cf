import net from "node:net";
import path from "node:path";
import { fixture } from "./helpers/app";
import { freePort } from "./helpers/nginx";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "./helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the real server process", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("`npm start` (building if needed) serves the sample routes over HTTP and stops cleanly on SIGTERM", async () => {
    server = spawnProcess("npm", ["start", "--silent"], {
      HOST: "127.0.0.1",
      PORT: "0",
      API_TOKENS: "ci-token",
    });
    const port = await waitForListening(server, 120_000);
    const base = `http://127.0.0.1:${port}`;

    const hello = await fetch(`${base}/api/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ message: "Hello, World!" });

    const created = await fetch(`${base}/api/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada", email: "ada@example.com" }),
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: number };
    expect(user).toMatchObject({ id: expect.any(Number), name: "Ada", email: "ada@example.com" });
    expect(await (await fetch(`${base}${created.headers.get("location")}`)).json()).toEqual(user);
    expect(await (await fetch(`${base}/api/users`)).json()).toMatchObject({
      users: [user],
      total: 1,
    });
    expect((await fetch(`${base}/api/users/${user.id + 1}`)).status).toBe(404);
    expect((await fetch(`${base}/api/users/${user.id}`, { method: "DELETE" })).status).toBe(401);
    expect((await fetch(`${base}/api/secure-data`)).status).toBe(401);
    const secure = await fetch(`${base}/api/secure-data`, {
      headers: { authorization: "Bearer ci-token" },
    });
    expect(secure.status).toBe(200);

    await stopProcess(server); // npm itself dies of the signal; the server below it must close cleanly
    expect(server.stdout()).toContain("server closed");
    expect(server.stdout()).not.toContain("ci-token");
    server = undefined;
  }, 180_000);

  it("says how many routes it serves when it loads them lazily from the build's manifest, and lists them at debug level", async () => {
    server = spawnProcess("node", [MAIN], { HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "debug" });
    await waitForListening(server);
    const lines = server
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const listening = lines.find((line) => String(line.msg).startsWith("listening on"));
    const table = lines.filter((line) => line.msg === "route").map((line) => line.pattern);
    expect(table).toEqual([
      "/api/admin/stats",
      "/api/edge-echo",
      "/api/hello",
      "/api/secure-data",
      "/api/users",
      "/api/users/[id]",
      "/api/users/[id]/avatar",
      "/api/chat/[room]",
      "/api/greet/[name]",
    ]);
    expect(listening).toMatchObject({ routes: table.length, lazy: true });
    expect(await stopProcess(server)).toBe(0);
  });

  it("serves a ROUTES_DIR of raw TypeScript through tsx, from the compiled server", async () => {
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: "test/fixtures/formats",
    });
    const port = await waitForListening(server);
    for (const [url, file] of [
      ["/api/typescript", "typescript.ts"],
      ["/api/esm", "esm.mjs"],
      ["/api/cjs", "cjs.cjs"],
      ["/api/esm-pkg/route", "esm-pkg/route.js"],
    ]) {
      const res = await fetch(`http://127.0.0.1:${port}${url}`);
      expect(await res.json()).toMatchObject({ file });
    }
    expect(await stopProcess(server)).toBe(0);
  });

  it("exits non-zero naming the broken file, and never listens", async () => {
    const port = await freePort();
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: String(port),
      ROUTES_DIR: fixture("server-broken"),
    });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(
      /boom\.ts: throws on import: Error: boom\.ts exploded on import/,
    );
    expect(await isListening(port)).toBe(false);
  });

  it("exits non-zero when ROUTES_DIR does not exist", async () => {
    server = spawnProcess("node", [MAIN], { PORT: "0", ROUTES_DIR: "no/such/folder" });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain(path.join(PROJECT_ROOT, "no/such/folder"));
    expect(server.stderr()).toMatch(/does not exist/);
  });

  it("exits non-zero naming every bad variable", async () => {
    server = spawnProcess("node", [MAIN], { PORT: "http", LOG_LEVEL: "loud" });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(/PORT="http"/);
    expect(server.stderr()).toMatch(
      /LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent/,
    );
  });
});
