import path from "node:path";
import { fixture } from "../helpers/app";
import { startRedis, type RedisServer } from "../helpers/redis";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";
import { connectWebSocket, type TestWebSocket } from "../../src/testing";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

/** `promise`'s value, or undefined when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms)),
  ]);
}

// The real server with WORKERS=2, with REDIS_URL and without (through the cluster primary): two
// clients that the cluster handed to different worker processes hear each other's `publish`.
// Fixture: test/fixtures/websockets (app/pid-room).
describe.each([
  ["through Redis", true],
  ["through the cluster primary, no REDIS_URL", false],
])("WebSockets with WORKERS=2, %s", (_name, withRedis) => {
  let redis: RedisServer;
  let server: Spawned | undefined;
  const sockets: TestWebSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterAll(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    if (server) await stopProcess(server);
    await redis.stop();
  });

  it("delivers a publish from a peer on one worker to a peer on the other", async () => {
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("websockets/routes"),
      WEBSOCKETS: "on",
      WORKERS: "2",
      ...(withRedis ? { REDIS_URL: redis.url } : {}),
    });
    const port = await waitForListening(server);
    // Both workers listen before any connection is handed out.
    for (let i = 0; i < 600 && !/2 workers listening on/.test(server.stdout()); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.stdout()).toMatch(/2 workers listening on/);
    // The primary hands each new connection to the next worker: connect until both answered.
    const byPid = new Map<string, TestWebSocket>();
    for (let i = 0; i < 20 && byPid.size < 2; i++) {
      const ws = await connectWebSocket(`ws://127.0.0.1:${port}/pid-room`);
      sockets.push(ws);
      const pid = String(await ws.nextMessage());
      expect(pid).toMatch(/^pid:\d+$/);
      if (!byPid.has(pid)) byPid.set(pid, ws);
    }
    expect(byPid.size).toBe(2);
    const [first, second] = [...byPid.values()];
    // The other worker's SUBSCRIBE reaches Redis asynchronously: publish until it hears.
    let heard: string | Buffer | undefined;
    for (let i = 0; i < 50 && heard === undefined; i++) {
      first.send(`hello ${i}`);
      heard = await within(second.nextMessage(), 200);
    }
    expect(heard).toMatch(/^hello \d+$/);
    // And the other way round.
    second.send("back");
    let back: string | Buffer | undefined;
    do back = await within(first.nextMessage(), 5000);
    while (back !== undefined && back !== "back");
    expect(back).toBe("back");
  }, 90_000);
});
