import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fixture } from "../helpers/app";
import { freePort } from "../helpers/nginx";
import { exchange } from "../hostile/support";
import { PROJECT_ROOT, spawnProcess, stopProcess, type Spawned } from "../helpers/process";
import { connectWebSocket } from "../../src/testing";

// `nextpress dev` as a user runs it, over a copy of test/fixtures/dev-basic that the tests edit.
// Every wait polls with a deadline: a loaded CI machine only makes the tests slower.

interface Answer {
  status: number;
  body: { message?: string; file?: string; version?: number; pid?: number };
}

const DEADLINE_MS = 15_000;
jest.setTimeout(60_000);
let debugOutput = () => "";

/** One GET on its own connection; undefined when nothing answered (refused, reset, no answer in time). */
function get(port: number, urlPath: string): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: urlPath, agent: false, timeout: 5000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer["body"] });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { message: text } });
          }
        });
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("error", () => resolve(undefined));
    req.on("timeout", () => req.destroy());
  });
}

/** Polls `urlPath` until `done(answer)`; every answer seen on the way is returned with it. */
async function pollUntil(port: number, urlPath: string, done: (answer: Answer) => boolean) {
  const started = Date.now();
  const seen: (Answer | undefined)[] = [];
  for (;;) {
    const answer = await get(port, urlPath);
    seen.push(answer);
    if (answer && done(answer)) return { answer, seen, ms: Date.now() - started };
    if (Date.now() - started > DEADLINE_MS) {
      throw new Error(
        `${urlPath} never gave the expected answer; last answers: ${JSON.stringify(seen.slice(-3))}\n${debugOutput()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Alive and not a zombie (an orphan's exit may wait for init to reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const handler = (body: string) =>
  `export default function handler(_req: unknown, res: { json(body: unknown): void }) {\n  res.json(${body});\n}\n`;

const VARIANTS: [string, (env: Record<string, string>) => Spawned][] = [
  [
    "npm run dev (tsx, from the sources)",
    (env) => spawnProcess("npm", ["run", "dev", "--silent"], env),
  ],
  [
    "the compiled CLI: nextpress dev",
    (env) => spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], env),
  ],
];

describe.each(VARIANTS)("%s", (_name, start) => {
  let dir: string;
  let port: number;
  let dev: Spawned;
  const write = (file: string, source: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  };
  /** The dev server's JSON log lines so far (complete lines only: the last one may still be arriving). */
  const logLines = () =>
    dev
      .stdout()
      .split("\n")
      .slice(0, -1)
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-dev-"));
    cpSync(fixture("dev-basic"), dir, { recursive: true });
    port = await freePort();
    dev = start({ ROUTES_DIR: dir, PORT: String(port), HOST: "127.0.0.1", LOG_FORMAT: "json" });
    // On a failed wait: the dev server's last lines, request logs left out.
    debugOutput = () =>
      [
        ...dev
          .stdout()
          .split("\n")
          .filter((line) => !line.includes("request completed"))
          .slice(-40),
        dev.stderr(),
      ].join("\n");
    await pollUntil(port, "/api/hello", (answer) => answer.status === 200);
  }, 90_000);

  afterAll(async () => {
    const pids = logLines()
      .flatMap((line) => [line.pid, line.supervisorPid])
      .filter((pid): pid is number => typeof pid === "number");
    await stopProcess(dev);
    rmSync(dir, { recursive: true, force: true });
    // Stopped by its process group's PID: the supervisor and every worker it started are gone.
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const deadline = Date.now() + DEADLINE_MS;
    while (pids.some(isRunning) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pids.filter(isRunning)).toEqual([]);
  }, 60_000);

  it("serves the routes folder from its TypeScript sources", async () => {
    expect(await get(port, "/api/hello")).toEqual({
      status: 200,
      body: { file: "hello.ts", version: 1 },
    });
    expect(await get(port, "/api/other")).toEqual({ status: 200, body: { file: "other.ts" } });
    expect(
      logLines().some(
        (line) => typeof line.msg === "string" && line.msg.startsWith("dev server listening on"),
      ),
    ).toBe(true);
  });

  it("answers a malformed request as `npm start` does: a JSON 400 on the same server setup", async () => {
    const { responses } = await exchange(port, "GARBAGE\r\n\r\n", { responses: 1 });
    expect(responses[0]?.status).toBe(400);
    expect(responses[0]?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(responses[0]?.body ?? "null")).toEqual({ message: "Bad Request" });
  });

  it("serves a changed file on the next requests, refusing none, while a request in flight finishes where it started", async () => {
    const inFlight = get(port, "/api/slow?ms=2000");
    await new Promise((resolve) => setTimeout(resolve, 300));
    write("hello.ts", handler(`{ file: "hello.ts", version: 2 }`));
    const { seen } = await pollUntil(port, "/api/hello", (answer) => answer.body.version === 2);
    // Before the new code: the old one. Never a refused connection or an error.
    for (const answer of seen)
      expect(answer).toEqual({
        status: 200,
        body: { file: "hello.ts", version: expect.any(Number) },
      });

    const finished = await inFlight;
    expect(finished?.status).toBe(200);
    const now = await get(port, "/api/slow");
    expect(now?.body.pid).toEqual(expect.any(Number));
    expect(finished?.body.pid).not.toBe(now?.body.pid);
    expect(
      logLines().some(
        (line) => line.msg === `reloaded in ${line.reloadMs} ms (hello.ts): 3 routes`,
      ),
    ).toBe(true);
  });

  it("serves an added file, and answers 404 once it is deleted", async () => {
    write("added/new.ts", handler(`{ file: "added/new.ts" }`));
    await pollUntil(
      port,
      "/api/added/new",
      (answer) => answer.status === 200 && answer.body.file === "added/new.ts",
    );
    unlinkSync(path.join(dir, "added/new.ts"));
    await pollUntil(port, "/api/added/new", (answer) => answer.status === 404);
    expect(await get(port, "/api/hello")).toEqual({
      status: 200,
      body: { file: "hello.ts", version: 2 },
    });
  });

  it("answers a file that throws on import with its error, logs it, and serves the other routes", async () => {
    write("hello.ts", `throw new Error("hello.ts is broken");\n${handler("{}")}`);
    const { answer } = await pollUntil(port, "/api/hello", (answer) => answer.status === 500);
    expect(answer.body).toEqual({
      message: "route file hello.ts failed to load: throws on import: Error: hello.ts is broken",
    });
    expect(await get(port, "/api/other")).toEqual({ status: 200, body: { file: "other.ts" } });
    const logged = logLines().find((line) => line.level === 50 && line.file === "hello.ts");
    expect(logged?.msg).toBe(
      "route file hello.ts failed to load: throws on import: Error: hello.ts is broken",
    );
    expect(logged?.reason).toMatch(/hello\.ts is broken\n\s+at /);
  });

  it("answers every URL below a _middleware file that fails to load with its error", async () => {
    write("admin/stats.ts", handler(`{ file: "admin/stats.ts" }`));
    await pollUntil(port, "/api/admin/stats", (answer) => answer.status === 200);
    write(
      "admin/_middleware.ts",
      `throw new Error("the middleware is broken");\nexport default [];\n`,
    );
    const { answer } = await pollUntil(port, "/api/admin/stats", (answer) => answer.status === 500);
    expect(answer.body).toEqual({
      message:
        "route file admin/_middleware.ts failed to load: throws on import: Error: the middleware is broken",
    });
    expect(await get(port, "/api/other")).toEqual({ status: 200, body: { file: "other.ts" } });
    rmSync(path.join(dir, "admin"), { recursive: true });
    await pollUntil(port, "/api/admin/stats", (answer) => answer.status === 404);
  });

  it("answers a syntax error with the compiler's message, file and position", async () => {
    write("other.ts", "export default function handler(req, res {\n");
    const { answer } = await pollUntil(port, "/api/other", (answer) => answer.status === 500);
    expect(answer.body.message).toMatch(
      /^route file other\.ts failed to load: throws on import: .*other\.ts:1:\d+: ERROR: Expected/,
    );
    expect((await get(port, "/api/hello"))?.status).toBe(500);
    expect((await get(port, "/api/slow"))?.status).toBe(200);
  });

  it("recovers once the files are fixed", async () => {
    write("hello.ts", handler(`{ file: "hello.ts", version: 3 }`));
    write("other.ts", handler(`{ file: "other.ts", fixed: true }`));
    await pollUntil(port, "/api/other", (answer) => answer.status === 200);
    await pollUntil(port, "/api/hello", (answer) => answer.body.version === 3);
    expect(await get(port, "/api/other")).toEqual({
      status: 200,
      body: { file: "other.ts", fixed: true },
    });
  });

  it("logs an exception thrown outside any request and goes on serving", async () => {
    write(
      "throws-later.ts",
      `export default function handler(_req: unknown, res: { json(body: unknown): void }) {
  setTimeout(() => { throw new Error("throws-later.ts threw after answering"); }, 10);
  res.json({ pid: process.pid });
}
`,
    );
    const { answer } = await pollUntil(
      port,
      "/api/throws-later",
      (answer) => answer.status === 200,
    );
    const deadline = Date.now() + DEADLINE_MS;
    const logged = () =>
      logLines().find(
        (line) => line.msg === "uncaught exception outside a request (`npm start` would stop here)",
      );
    while (!logged() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged()?.err).toMatchObject({ message: "throws-later.ts threw after answering" });
    expect((await get(port, "/api/slow"))?.body.pid).toBe(answer.body.pid);
    unlinkSync(path.join(dir, "throws-later.ts"));
    await pollUntil(port, "/api/throws-later", (answer) => answer.status === 404);
  });

  it("starts a new worker when a route ends its process, and logs why", async () => {
    write(
      "exits.ts",
      `export default function handler(_req: unknown, res: { json(body: unknown): void }) {
  res.json({ pid: process.pid });
  setTimeout(() => process.exit(3), 10);
}
`,
    );
    const exited = (await pollUntil(port, "/api/exits", (answer) => answer.status === 200)).answer
      .body.pid;
    const { answer } = await pollUntil(
      port,
      "/api/slow",
      (answer) => answer.status === 200 && answer.body.pid !== exited,
    );
    expect(answer.body.pid).toEqual(expect.any(Number));
    expect(
      logLines().some(
        (line) =>
          typeof line.msg === "string" &&
          /^the dev server worker exited \(exit code 3\): restarting/.test(line.msg),
      ),
    ).toBe(true);
    unlinkSync(path.join(dir, "exits.ts"));
    await pollUntil(port, "/api/exits", (answer) => answer.status === 404);
  });

  it("answers an ESM file that throws on import with its error too, and forgets it once deleted", async () => {
    write(
      "esm.mjs",
      `throw new Error("esm.mjs is broken");\nexport default function handler() {}\n`,
    );
    const { answer } = await pollUntil(port, "/api/esm", (answer) => answer.status === 500);
    expect(answer.body).toEqual({
      message: "route file esm.mjs failed to load: throws on import: Error: esm.mjs is broken",
    });
    expect(await get(port, "/api/hello")).toEqual({
      status: 200,
      body: { file: "hello.ts", version: 3 },
    });
    unlinkSync(path.join(dir, "esm.mjs"));
    await pollUntil(port, "/api/esm", (answer) => answer.status === 404);
  });

  it("answers every /api request with the table's error while two files claim one URL, until one goes", async () => {
    write("other/index.ts", handler(`{ file: "other/index.ts" }`));
    const { answer } = await pollUntil(port, "/api/hello", (answer) => answer.status === 500);
    expect(answer.body.message).toMatch(
      /^Cannot load the routes in .*:\n {2}- other\.ts and other\/index\.ts: both serve \/api\/other/,
    );
    expect(await get(port, "/api/slow")).toEqual(answer);
    expect((await get(port, "/elsewhere"))?.status).toBe(404);
    rmSync(path.join(dir, "other"), { recursive: true });
    await pollUntil(port, "/api/hello", (answer) => answer.status === 200);
    expect(await get(port, "/api/other")).toEqual({
      status: 200,
      body: { file: "other.ts", fixed: true },
    });
  });
});

describe("nextpress dev with nothing configured", () => {
  let dev: Spawned | undefined;
  afterEach(async () => {
    if (dev) await stopProcess(dev);
    dev = undefined;
  });

  it("serves the routes/ sources with pretty logs", async () => {
    const port = await freePort();
    dev = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
      PORT: String(port),
      HOST: "127.0.0.1",
    });
    const { answer } = await pollUntil(port, "/api/hello", (answer) => answer.status === 200);
    expect(answer.body).toEqual({ message: "Hello, World!" });
    const deadline = Date.now() + DEADLINE_MS;
    while (!dev.stdout().includes("dev server listening on") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(dev.stdout()).toMatch(
      /INFO.*: dev server listening on http:\/\/127\.0\.0\.1:\d+\/api \(9 routes\), watching .*routes\n/,
    );
    expect(dev.stdout()).toContain(`watching ${path.join(PROJECT_ROOT, "routes")}`);
    expect(dev.stdout()).not.toMatch(/^\{/m);
    expect(existsSync(path.join(PROJECT_ROOT, "routes", "hello.ts"))).toBe(true);
  }, 90_000);

  it("--help describes it and exits 0; an unknown flag exits 2", async () => {
    const help = spawnProcess(
      "node",
      [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev", "--help"],
      {},
    );
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/^Usage: nextpress dev\n/);
    const bad = spawnProcess(
      "node",
      [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev", "--watch"],
      {},
    );
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/Unknown option '--watch'/);
  });

  it("exits 1 when the port is taken", async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const blocked = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
        ROUTES_DIR: fixture("dev-basic"),
        PORT: String(port),
        HOST: "127.0.0.1",
      });
      expect(await blocked.exited).toBe(1);
      expect(blocked.stderr()).toContain(
        `nextpress: cannot listen on 127.0.0.1:${port}: bind EADDRINUSE`,
      );
    } finally {
      taken.close();
    }
  });

  it("exits 1 naming the folder when ROUTES_DIR does not exist", async () => {
    const missing = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
      ROUTES_DIR: "no/such/folder",
      PORT: "0",
    });
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toContain(path.join(PROJECT_ROOT, "no/such/folder"));
    expect(missing.stderr()).toMatch(/does not exist/);
  });
});

describe("nextpress dev with an app/ folder", () => {
  let dir: string;
  let dev: Spawned | undefined;
  afterEach(async () => {
    if (dev) await stopProcess(dev);
    dev = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves app/**/route.ts beside routes/, and reloads when a route handler changes or appears", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-dev-app-"));
    const write = (file: string, source: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), source);
    };
    write("routes/hello.ts", handler('{ file: "hello.ts" }'));
    const route = (body: string) =>
      `import { NextResponse } from "next/server";\nexport function GET() {\n  return NextResponse.json(${body});\n}\n`;
    write("app/ping/route.ts", route('{ file: "app/ping/route.ts", version: 1 }'));
    const port = await freePort();
    dev = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
      ROUTES_DIR: path.join(dir, "routes"),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
    });
    await pollUntil(port, "/ping", (answer) => answer.body.version === 1);
    expect(await get(port, "/api/hello")).toEqual({ status: 200, body: { file: "hello.ts" } });
    write("app/ping/route.ts", route('{ file: "app/ping/route.ts", version: 2 }'));
    await pollUntil(port, "/ping", (answer) => answer.body.version === 2);
    write("app/(group)/pong/route.ts", route('{ file: "pong", version: 1 }'));
    await pollUntil(port, "/pong", (answer) => answer.status === 200);
    expect(dev.stdout()).toMatch(/reloaded in \d+ ms \(app\/ping\/route\.ts\)/);
  }, 90_000);
});

describe("nextpress dev with WEBSOCKETS=on", () => {
  let dir: string;
  let dev: Spawned | undefined;
  afterEach(async () => {
    if (dev) await stopProcess(dev);
    dev = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it("closes a socket open on a route file with 1012 when that file changes; a reconnect gets the new code", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-dev-ws-"));
    const write = (file: string, source: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), source);
    };
    write("routes/hello.ts", handler('{ file: "hello.ts" }'));
    const route = (version: number) =>
      `import { NextResponse } from "next/server";\nexport function GET() {\n  return NextResponse.upgrade({ open: (peer) => void peer.send("version ${version}") });\n}\n`;
    write("app/live/route.ts", route(1));
    const port = await freePort();
    dev = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/cli.js"), "dev"], {
      ROUTES_DIR: path.join(dir, "routes"),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
      WEBSOCKETS: "on",
    });
    // A plain GET to an upgrade route answers 426 once the route is served.
    await pollUntil(port, "/live", (answer) => answer.status === 426);
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/live`);
    expect(await ws.nextMessage()).toBe("version 1");
    write("app/live/route.ts", route(2));
    const closed = await Promise.race([
      ws.closed,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), DEADLINE_MS)),
    ]);
    expect(closed).toEqual({ code: 1012, reason: "Service restart" });
    const again = await connectWebSocket(`ws://127.0.0.1:${port}/live`);
    expect(await again.nextMessage()).toBe("version 2");
    again.close();
    await again.closed;
  }, 90_000);
});
