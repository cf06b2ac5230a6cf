import { startHostileServer, type HostileServer } from "../hostile/support";

// ES module syntax in plain .js files outside a "type": "module" package, as many projects copied
// from Next have them: the real server process loads them (require() takes ES modules on the
// Node versions we run) and their next/* imports resolve to nextpress's shims, although no .mjs
// or TypeScript file made the loader register its import() aliases first.
let server: HostileServer;

beforeAll(async () => {
  server = await startHostileServer("esm-syntax/routes", { LOG_LEVEL: "info" });
}, 60_000);

afterAll(async () => {
  // Node's own MODULE_TYPELESS_PACKAGE_JSON warning may be there (it suggests "type": "module"); no error.
  expect(server.spawned.stderr()).not.toMatch(/nextpress:|Error/);
  expect(await server.stop()).toBe(0);
});

const get = async (path: string) => {
  const res = await fetch(server.url(path), { headers: { "user-agent": "esm-test" } });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe("route files with ES module syntax in .js", () => {
  it("serves an edge pages route importing next/server", async () => {
    expect(await get("/api/edge-esm")).toEqual({
      status: 200,
      body: { style: "edge", path: "/api/edge-esm" },
    });
  });

  it("serves an app-router route handler importing next/server and next/headers", async () => {
    expect(await get("/api/clock")).toEqual({
      status: 200,
      body: { style: "app", agent: "esm-test" },
    });
  });

  it("serves a pages route with an ES default export", async () => {
    expect(await get("/api/pages-esm?x=1")).toEqual({
      status: 200,
      body: { style: "pages", query: { x: "1" } },
    });
  });
});
