import path from "node:path";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";
import { startRedis, type RedisServer } from "../helpers/redis";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const REPLICAS = 3;
const TOKEN = "replica-token";
const READY_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  port: number;
  server: Spawned;
}

/** GET `urlPath` straight to one replica: its status and RateLimit header (status 0: no connection). */
async function get(
  port: number,
  urlPath: string,
  authorization?: string,
): Promise<{ status: number; rateLimit: string | null }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
      headers: authorization ? { authorization } : {},
    });
    await res.arrayBuffer();
    return { status: res.status, rateLimit: res.headers.get("ratelimit") };
  } catch {
    return { status: 0, rateLimit: null };
  }
}

/** `count` requests sent to the replicas in turn; how many of each status each replica answered. */
async function roundRobin(
  replicas: readonly Replica[],
  count: number,
  urlPath: string,
  authorization?: string,
) {
  const byStatus: Record<number, number> = {};
  const perReplica = replicas.map(() => ({ passed: 0, refused: 0 }));
  for (let i = 0; i < count; i++) {
    const { status } = await get(replicas[i % replicas.length].port, urlPath, authorization);
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status === 200) perReplica[i % replicas.length].passed++;
    if (status === 429) perReplica[i % replicas.length].refused++;
  }
  return { byStatus, perReplica };
}

/** Three replicas as the image runs them (`node dist/src/main.js`, the sample routes), each on its own loopback port. */
async function startReplicas(env: Record<string, string>): Promise<Replica[]> {
  // PORT=0, each port read from the replica's listening line: no port chosen here that another
  // test's server could take first, and never two replicas answering on one port.
  const servers = Array.from({ length: REPLICAS }, () =>
    spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      API_TOKENS: TOKEN,
      ...env,
    }),
  );
  const replicas: Replica[] = [];
  for (const server of servers)
    replicas.push({ port: await waitForListening(server, READY_TIMEOUT_MS), server });
  // Each replica creates the sample's embedded database in a DATA_DIR of its own: ready when
  // /readyz says so, which waits for the migrations.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const { port, server } of replicas) {
    while ((await get(port, "/readyz")).status !== 200) {
      if (Date.now() > deadline || server.child.exitCode !== null)
        throw new Error(
          `replica on ${port} never became ready:\n${server.stdout()}\n${server.stderr()}`,
        );
      await sleep(50);
    }
  }
  return replicas;
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("rate limits across replicas", () => {
  let redis: RedisServer | undefined;
  const started: Replica[] = [];
  const start = async (env: Record<string, string>) => {
    const replicas = await startReplicas(env);
    started.push(...replicas);
    return replicas;
  };
  afterAll(async () => {
    await Promise.all(started.map(({ server }) => stopProcess(server)));
    await redis?.stop();
  });

  describe("with REDIS_URL: one count for all of them", () => {
    let replicas: Replica[];
    beforeAll(async () => {
      redis = await startRedis();
      replicas = await start({
        RATE_LIMIT: "100/1m",
        REDIS_URL: redis.url,
        AUTH_FAILURE_LIMIT: "off",
      });
    }, 90_000);

    it("lets exactly 100 of 400 requests sent round-robin through, and refuses 300 with 429", async () => {
      const { byStatus, perReplica } = await roundRobin(replicas, 400, "/api/hello");
      console.info(
        `RATE_LIMIT=100/1m, Redis, ${REPLICAS} replicas, 400 requests round-robin: ${JSON.stringify(byStatus)}, per replica ${JSON.stringify(perReplica)}`,
      );
      expect(byStatus).toEqual({ 200: 100, 429: 300 });
      // Every replica served its share of the 100 and refused its share after: one budget.
      for (const { passed, refused } of perReplica) {
        expect(passed).toBeGreaterThanOrEqual(33);
        expect(refused).toBeGreaterThanOrEqual(99);
      }
    });

    it("fails open when Redis goes away (a warning, /readyz still 200) and limits again once it is back", async () => {
      const port = redis?.port as number;
      await redis?.stop();
      // Limited a moment ago; unlimited now, without RateLimit headers (there is no count to show).
      const during = await roundRobin(replicas, 30, "/api/hello");
      expect(during.byStatus).toEqual({ 200: 30 });
      expect((await get(replicas[0].port, "/api/hello")).rateLimit).toBeNull();
      for (const { port: replicaPort, server } of replicas) {
        expect((await get(replicaPort, "/readyz")).status).toBe(200);
        expect(server.stdout()).toMatch(
          /"level":40[^\n]*Redis at redis:\/\/127\.0\.0\.1:\d+\/? unavailable: requests are let through without rate limits/,
        );
      }
      // The warning is written once per outage, not once per request.
      expect(
        replicas[0].server.stdout().match(/unavailable: requests are let through/g),
      ).toHaveLength(1);

      redis = await startRedis(port);
      // Each replica reconnects (its retry backs off up to 2 s) and counts again, from zero: Redis kept nothing.
      for (const { port: replicaPort } of replicas) {
        await waitFor(
          `the replica on ${replicaPort} to count in Redis again`,
          async () => (await get(replicaPort, "/api/hello")).rateLimit !== null,
        );
      }
      for (const { server } of replicas)
        expect(server.stdout()).toMatch(/answers again: rate limits apply/);
      const after = await roundRobin(replicas, 110, "/api/hello");
      expect(after.byStatus[429]).toBeGreaterThan(0);
    }, 90_000);

    it("brakes token guessing on every replica: the limit, plus about one guess per replica, where counts per replica would allow three times the limit", async () => {
      const brake = await start({ REDIS_URL: redis?.url as string, AUTH_FAILURE_LIMIT: "5/1m" });
      // Warm: each replica has loaded the route (a fresh process answers its first request slowly).
      for (const { port } of brake)
        expect((await get(port, "/api/secure-data", `Bearer ${TOKEN}`)).status).toBe(200);
      const guesses = await roundRobin(brake, 15, "/api/secure-data", "Bearer guess");
      console.info(
        `AUTH_FAILURE_LIMIT=5/1m, Redis, ${REPLICAS} replicas, 15 wrong tokens round-robin: ${JSON.stringify(guesses.byStatus)}`,
      );
      // Each replica learns of the brake from its own next wrong token's count: one more guess on each
      // of the others (7 in all when the machine is idle), and one more per replica at most while a
      // count is still on its way back under load. With a count per replica, all 15 would be checked.
      expect(guesses.byStatus[401]).toBeGreaterThanOrEqual(5);
      expect(guesses.byStatus[401]).toBeLessThanOrEqual(5 + 2 * (REPLICAS - 1));
      expect(guesses.byStatus[429]).toBe(15 - guesses.byStatus[401]);
      for (const { port } of brake)
        expect((await get(port, "/api/secure-data", `Bearer ${TOKEN}`)).status).toBe(429);
    }, 90_000);
  });

  describe("without REDIS_URL: a count per replica", () => {
    it("lets each replica pass its own 100: 300 of the 400 get through", async () => {
      const replicas = await start({ RATE_LIMIT: "100/1m" });
      const { byStatus, perReplica } = await roundRobin(replicas, 400, "/api/hello");
      console.info(
        `RATE_LIMIT=100/1m, memory store, ${REPLICAS} replicas, 400 requests round-robin: ${JSON.stringify(byStatus)}, per replica ${JSON.stringify(perReplica)}`,
      );
      expect(byStatus).toEqual({ 200: 300, 429: 100 });
      expect(perReplica.map((r) => r.passed)).toEqual([100, 100, 100]);
    }, 90_000);
  });
});
