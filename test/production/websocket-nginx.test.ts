import path from "node:path";
import { fixture } from "../helpers/app";
import { startDeployedNginx, type Nginx } from "../helpers/nginx";
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

// Real clients through the shipped deploy/nginx.conf to two server processes sharing a Redis:
// nginx passes the upgrade, publish crosses replicas, and a replica that stops closes its
// sockets with 1001 while the client reconnects to the other.
describe("WebSockets behind the shipped nginx, two replicas", () => {
  let redis: RedisServer;
  let nginx: Nginx | undefined;
  const replicas: Spawned[] = [];
  const sockets: TestWebSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await nginx?.stop();
    await Promise.all(replicas.map((replica) => stopProcess(replica)));
    await redis.stop();
  });

  it("spreads sockets over both replicas, publishes across them, reconnects after a 1001", async () => {
    for (let i = 0; i < 2; i++)
      replicas.push(
        spawnProcess("node", [MAIN], {
          HOST: "127.0.0.1",
          PORT: "0",
          ROUTES_DIR: fixture("websockets/routes"),
          WEBSOCKETS: "on",
          REDIS_URL: redis.url,
          TRUST_PROXY: "1",
        }),
      );
    const ports = await Promise.all(replicas.map((replica) => waitForListening(replica)));
    nginx = await startDeployedNginx(ports);
    const url = `ws://127.0.0.1:${nginx.port}/room/a`;
    // nginx's round robin: consecutive upgrades land on both replicas.
    for (let i = 0; i < 4; i++) sockets.push(await connectWebSocket(url));
    for (const ws of sockets) expect(await ws.nextMessage()).toBe("joined");
    const logged = (replica: Spawned) => /"url":"\/room\/a"/.test(replica.stdout());
    const [first, ...others] = sockets;
    let heardBy = 0;
    for (let i = 0; i < 50 && heardBy < others.length; i++) {
      first.send(`hello ${i}`);
      const heard = await Promise.all(others.map((ws) => within(ws.nextMessage(), 100)));
      heardBy = heard.filter((message) => message !== undefined).length;
    }
    expect(heardBy).toBe(others.length);
    // One replica stops: its sockets close with 1001, the other replica's stay open.
    const stopping = replicas[0];
    expect(await stopProcess(stopping)).toBe(0);
    const codes = await Promise.all(
      sockets.map((ws) =>
        within(
          ws.closed.then((closed) => closed.code),
          500,
        ),
      ),
    );
    expect(codes).toContain(1001);
    expect(codes).toContain(undefined);
    expect(codes.every((code) => code === 1001 || code === undefined)).toBe(true);
    expect(logged(stopping)).toBe(true);
    // The client reconnects: nginx sends it to the replica still there.
    const again = await connectWebSocket(url);
    sockets.push(again);
    expect(await again.nextMessage()).toBe("joined");
  }, 90_000);
});
