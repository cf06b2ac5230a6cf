import { spawnProcess } from "../helpers/process";
import { eventually, MAIN, startHostileServer, type HostileServer } from "../hostile/support";
import { fixture } from "../helpers/app";

// next/cache as Next 16's functions behave on a server with no cache store
// (vercel/next.js packages/next/src/server/web/spec-extension/revalidate.ts, unstable-cache.ts),
// imported by route files in a project without `next` installed. Fixture: test/fixtures/next-cache.

let server: HostileServer;

beforeAll(async () => {
  server = await startHostileServer("next-cache/routes", { LOG_LEVEL: "info" });
}, 60_000);

afterAll(async () => {
  await server.stop();
});

const logged = (text: string) => JSON.stringify(server.logLines()).includes(text);

const post = (action: string) =>
  fetch(server.url("/cache"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action }),
  });

describe("next/cache in an app route", () => {
  it("unstable_cache calls the function every time with its arguments (no store keeps a result)", async () => {
    const res = await fetch(server.url("/cache?id=7"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, { id: string; suffix: string; call: number }>;
    expect(body.first).toMatchObject({ id: "7", suffix: "x" });
    expect(body.second).toMatchObject({ id: "7", suffix: "y" });
    expect(body.second.call).toBe(body.first.call + 1);
  });

  it.each(["path", "tag"])("revalidate%s is a no-op inside a request", async (action) => {
    const res = await post(action);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revalidated: true, now: true });
  });

  it("updateTag throws, as Next's does outside a Server Action: a 500", async () => {
    const res = await post("update");
    expect(res.status).toBe(500);
    await eventually(
      () => logged("updateTag can only be called from within a Server Action"),
      10_000,
      "the error logged",
    );
  });
});

describe("next/cache in a pages API route", () => {
  it("revalidatePath throws Next's invariant (there is no app-router store): a 500", async () => {
    const res = await fetch(server.url("/api/pages-revalidate"));
    expect(res.status).toBe(500);
    await eventually(
      () => logged("Invariant: static generation store missing in revalidatePath /blog"),
      10_000,
      "the invariant logged",
    );
  });
});

describe("a next/* module nextpress does not provide", () => {
  it("stops start-up naming the module and what is supported, never `npm install next`", async () => {
    const spawned = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("next-unsupported"),
    });
    expect(await spawned.exited).toBe(1);
    const stderr = spawned.stderr();
    expect(stderr).toMatch(
      /image\.js: imports "next\/image", which nextpress does not provide .*: nextpress supports next\/server, next\/headers, next\/navigation, next\/cache/,
    );
    expect(stderr).not.toContain("npm install");
  }, 60_000);
});
