import path from "node:path";
import { startLoad, type LoadResult } from "../helpers/load";
import { freePort, startDeployedNginx, type Nginx } from "../helpers/nginx";
import { PROJECT_ROOT, spawnProcess, stopProcess, type Spawned } from "../helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const REPLICAS = 3;
const CONNECTIONS = 50;
const SHUTDOWN_DELAY_MS = 3000;
/** The load runs at least this long, restarts included. */
const MIN_LOAD_MS = 30_000;
/** After a replica is back, before the next one goes: longer than nginx's fail_timeout (5 s in deploy/nginx.conf). */
const SETTLE_MS = 5500;

interface Replica {
  port: number;
  server: Spawned;
}

/** One replica as the image runs it: `node dist/src/main.js`, the sample routes, on a fixed loopback port. */
function startReplica(port: number): Spawned {
  return spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    API_TOKENS: "rolling",
    TRUST_PROXY: "1",
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
  });
}

/** The status of GET `urlPath` straight to a replica (0: no connection). */
async function directStatus(port: number, urlPath: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
      headers: { connection: "close" },
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function waitUntilReady(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await directStatus(port, "/readyz")) === 200) return;
    await sleep(25);
  }
  throw new Error(`replica on ${port} never became ready`);
}

describe("a rolling restart behind the shipped nginx configuration", () => {
  const replicas: Replica[] = [];
  let nginx: Nginx | undefined;
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(replicas.map(({ server }) => stopProcess(server)));
  });

  it(`loses nothing: ${CONNECTIONS} connections of GETs for ${MIN_LOAD_MS / 1000}+ s while each of ${REPLICAS} replicas in turn gets SIGTERM and starts again`, async () => {
    for (let i = 0; i < REPLICAS; i++) {
      const port = await freePort();
      replicas.push({ port, server: startReplica(port) });
    }
    await Promise.all(replicas.map(({ port }) => waitUntilReady(port)));
    // Which replica answered: nginx's $upstream_addr lists every one it tried, the last one answered.
    nginx = await startDeployedNginx(
      replicas.map((r) => r.port),
      { "X-Upstream": "$upstream_addr" },
    );

    const answeredBy = new Map<number, number[]>(replicas.map((r) => [r.port, []]));
    let retried = 0;
    const load = startLoad({
      port: nginx.port,
      path: "/api/hello",
      connections: CONNECTIONS,
      onAnswer: ({ at, headers }) => {
        const tried = String(headers["x-upstream"] ?? "").split(", ");
        if (tried.length > 1) retried++;
        answeredBy.get(Number(tried.at(-1)?.split(":")[1]))?.push(at);
      },
    });
    const started = Date.now();
    let result: LoadResult | undefined;
    const restarts: {
      port: number;
      signalled: number;
      readyzAfterSignal: number;
      exitCode: number | null;
      exited: number;
      ready: number;
    }[] = [];
    try {
      await sleep(3000);
      for (const replica of replicas) {
        // As Kubernetes and `docker stop` do: SIGTERM to the server process alone.
        const signalled = Date.now();
        process.kill(replica.server.child.pid as number, "SIGTERM");
        // The signal reaches the process between two requests: poll until /readyz says so (it must, at once).
        let readyzAfterSignal = await directStatus(replica.port, "/readyz");
        for (let i = 0; i < 20 && readyzAfterSignal === 200; i++)
          readyzAfterSignal = await directStatus(replica.port, "/readyz");
        const exitCode = await replica.server.exited;
        const exited = Date.now();
        replica.server = startReplica(replica.port);
        await waitUntilReady(replica.port);
        restarts.push({
          port: replica.port,
          signalled,
          readyzAfterSignal,
          exitCode,
          exited,
          ready: Date.now(),
        });
        await sleep(SETTLE_MS);
      }
      // nginx tries a replica again fail_timeout (5 s) after the last failure it saw, which may
      // come just before the replica is ready: give the load up to 10 s more to reach each one.
      const servesAgain = () =>
        restarts.every((r) => (answeredBy.get(r.port) ?? []).some((at) => at > r.ready));
      for (const deadline = Date.now() + 10_000; !servesAgain() && Date.now() < deadline;)
        await sleep(100);
      await sleep(Math.max(0, started + MIN_LOAD_MS - Date.now()));
    } finally {
      result = await load.stop();
    }

    const non2xx = Object.entries(result.byStatus).filter(([status]) => Number(status) >= 300);
    console.info(
      `rolling restart: ${result.sent} requests in ${(result.durationMs / 1000).toFixed(1)} s over ${CONNECTIONS} connections, ` +
        `by status ${JSON.stringify(result.byStatus)}, socket errors ${JSON.stringify(result.errors)}, ` +
        `${retried} retried by nginx on another replica; per replica: ` +
        restarts
          .map(
            (r) =>
              `SIGTERM → exit ${r.exited - r.signalled} ms, exit → ready ${r.ready - r.exited} ms`,
          )
          .join("; "),
    );
    expect(result.durationMs).toBeGreaterThanOrEqual(MIN_LOAD_MS);
    expect(result.sent).toBe(
      result.answered + Object.values(result.errors).reduce((a, b) => a + b, 0),
    );
    expect(result.answered).toBeGreaterThan(1000);
    expect(non2xx).toEqual([]);
    expect(result.errors).toEqual({});

    for (const restart of restarts) {
      expect(restart.readyzAfterSignal).toBe(503);
      expect(restart.exitCode).toBe(0);
      // It went on serving through its delay: nginx does not read /readyz, it kept sending here.
      const served = answeredBy.get(restart.port) ?? [];
      // A loop, not Math.max(...served): hundreds of thousands of arguments overflow the stack on Node 24.
      const lastBeforeExit = served.reduce(
        (last, at) => (at < restart.exited && at > last ? at : last),
        -Infinity,
      );
      expect(lastBeforeExit - restart.signalled).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS - 500);
      expect(restart.exited - restart.signalled).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
      // And it serves again once back.
      expect(served.some((at) => at > restart.ready)).toBe(true);
    }
  }, 120_000);
});
