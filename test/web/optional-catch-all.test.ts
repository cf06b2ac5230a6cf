import { startHostileServer, type HostileServer } from "../hostile/support";

// app/optional/[[...slug]]/route.ts requested as /optional: Next 16.5's `next start` gives
// `context.params` as a Promise of {} (not absent). Fixture: test/fixtures/web-optional.

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("web-optional/routes", { LOG_LEVEL: "info" });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

it("context.params is a Promise of {} at the optional catch-all's root", async () => {
  expect(await (await fetch(server.url("/optional"))).json()).toEqual({ params: {} });
});

it("and of the segments below it", async () => {
  expect(await (await fetch(server.url("/optional/a/b"))).json()).toEqual({
    params: { slug: ["a", "b"] },
  });
});
