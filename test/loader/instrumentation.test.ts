import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { RouteLoadError } from "../../src/errors";
import { buildTestApp, fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess, stopProcess, waitForListening } from "../helpers/process";

// instrumentation.ts beside routes/, as Next reads it beside pages/.
const ROUTES = path.join("instrumented", "routes");

type Probe = { readiness: string; errors: unknown[]; registered?: number };
const probe = () => (globalThis as { __instrumented?: Probe }).__instrumented as Probe;

afterEach(() => {
  if (probe()) {
    probe().readiness = "up";
    probe().errors = [];
  }
});

describe("instrumentation.ts", () => {
  it("runs register() before any route module is imported", async () => {
    const { app, instrumentation } = await buildTestApp(ROUTES);
    expect(instrumentation.file).toBe(fixture(path.join("instrumented", "instrumentation.ts")));
    expect((await request(app).get("/api/registered")).body).toEqual({ registeredAtImport: true });
  });

  it.each([
    ["returns false", "down", "ready() returned false"],
    ["throws", "throws", "database unreachable"],
    ["takes longer than READY_TIMEOUT_MS", "slow", "ready() did not answer within 100 ms"],
  ])(
    "makes /readyz 503 while ready() %s, logged at warn, and 200 again once it is up",
    async (_case, readiness, logged) => {
      const { app, logs } = await buildTestApp(ROUTES, { READY_TIMEOUT_MS: "100" });
      expect((await request(app).get("/readyz")).status).toBe(200);
      await request(app).put("/api/readiness").send({ readiness }).expect(204);
      const down = await request(app).get("/readyz");
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: "unavailable" });
      expect(down.headers["cache-control"]).toBe("no-store");
      expect(
        JSON.stringify(logs.lines.filter((line) => line.msg === "not ready: /readyz answers 503")),
      ).toContain(logged);
      // /healthz is the process, not its dependencies: still 200.
      expect((await request(app).get("/healthz")).status).toBe(200);
      await request(app).put("/api/readiness").send({ readiness: "up" }).expect(204);
      expect((await request(app).get("/readyz")).body).toEqual({ status: "ready" });
    },
  );

  it("hears every error a request ends with as a 5xx, as Next's onRequestError, and not a 4xx the route chose", async () => {
    const { app } = await buildTestApp(ROUTES);
    expect((await request(app).get("/api/fail/crash?x=1")).status).toBe(500);
    expect((await request(app).get("/api/fail/api-error")).status).toBe(409);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await request(app).get("/api/fail/list")).body.errors).toEqual([
      {
        message: "the route crashed",
        path: "/api/fail/crash?x=1",
        method: "GET",
        routePath: "/api/fail/[kind]",
        routerKind: "Pages Router",
      },
    ]);
  });

  it("stops start-up naming the file when a hook is not a function, or register() fails", async () => {
    await expect(buildTestApp(path.join("instrumentation-bad", "routes"))).rejects.toThrow(
      /instrumentation-bad\/instrumentation\.ts: `export register` is not a function/,
    );
    const failing = buildTestApp(path.join("instrumentation-register-fails", "routes"));
    await expect(failing).rejects.toThrow(RouteLoadError);
    await expect(
      buildTestApp(path.join("instrumentation-register-fails", "routes")),
    ).rejects.toThrow(
      /instrumentation\.ts: register\(\) failed: Error: cannot reach the database to migrate/,
    );
  });

  it("runs shutdown() in the real server after the last request, before it exits 0", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-shutdown-"));
    const marker = path.join(dir, "marker");
    try {
      const server = spawnProcess("node", [path.join(PROJECT_ROOT, "dist/src/main.js")], {
        HOST: "127.0.0.1",
        PORT: "0",
        ROUTES_DIR: fixture(ROUTES),
        SHUTDOWN_MARKER: marker,
      });
      const port = await waitForListening(server);
      expect((await fetch(`http://127.0.0.1:${port}/api/registered`)).status).toBe(200);
      expect(existsSync(marker)).toBe(false);
      expect(await stopProcess(server)).toBe(0);
      expect(readFileSync(marker, "utf8")).toBe("shutdown ran\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
