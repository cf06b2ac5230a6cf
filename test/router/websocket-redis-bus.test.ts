import { createTestApp, type TestApp } from "../../src/testing";
import { fixture } from "../helpers/app";
import { startRedis, type RedisServer } from "../helpers/redis";

// Two app instances (two replicas) sharing one real redis-server: publish reaches the other's
// subscribers of the same pathname, and only them. Fixture: test/fixtures/websockets (app/room).

let redis: RedisServer;
const apps: TestApp[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await redis.stop();
});

async function replica(): Promise<TestApp> {
  const app = await createTestApp({
    routesDir: fixture("websockets/routes"),
    env: { WEBSOCKETS: "on", REDIS_URL: redis.url },
  });
  apps.push(app);
  return app;
}

it("delivers a publish to subscribers on another replica, once, and not to other rooms", async () => {
  const [one, two] = await Promise.all([replica(), replica()]);
  const sender = await one.openWebSocket("/room/a");
  const sameRoom = await two.openWebSocket("/room/a");
  const local = await one.openWebSocket("/room/a");
  const otherRoom = await two.openWebSocket("/room/b");
  for (const ws of [sender, sameRoom, local, otherRoom])
    expect(await ws.nextMessage()).toBe("joined");
  // The subscriber's SUBSCRIBE reaches Redis asynchronously: publish until the other replica hears.
  let heard: string | Buffer | undefined;
  for (let i = 0; i < 50 && heard === undefined; i++) {
    sender.send(`hello ${i}`);
    heard = await Promise.race([
      sameRoom.nextMessage(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
    ]);
  }
  expect(heard).toMatch(/^hello \d+$/);
  otherRoom.send("room b only");
  sender.send("last");
  // The local subscriber got every message once, in order, ending with "last"; room b's never.
  const seen: string[] = [];
  while (seen[seen.length - 1] !== "last") seen.push(String(await local.nextMessage()));
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen).not.toContain("room b only");
  for (const ws of [sender, sameRoom, local, otherRoom]) ws.close();
}, 30_000);
