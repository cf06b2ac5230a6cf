import path from "node:path";
import { fixture } from "../helpers/app";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";
import { connectWebSocket } from "../../src/testing";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

// The real server process (`node dist/src/main.js`) with WEBSOCKETS=on: SIGTERM closes open
// sockets with 1001 once the drain starts, after SHUTDOWN_DELAY_MS, then exits 0.
describe("WebSockets at shutdown", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("keeps sockets open through SHUTDOWN_DELAY_MS, then closes them with 1001 and exits 0", async () => {
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("websockets/routes"),
      WEBSOCKETS: "on",
      SHUTDOWN_DELAY_MS: "1000",
    });
    const port = await waitForListening(server);
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/echo`);
    expect(JSON.parse(String(await ws.nextMessage()))).toMatchObject({ path: "/echo" });
    const signalled = Date.now();
    process.kill(server.child.pid as number, "SIGTERM");
    // Within the delay the socket still works.
    ws.send("still there");
    expect(await ws.nextMessage()).toBe("echo:still there");
    const closed = await ws.closed;
    expect(closed.code).toBe(1001);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(900);
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toMatch(/"status":101[^\n]*"websocketCloseCode":1001/);
  }, 60_000);
});
