import http from "node:http";
import path from "node:path";
import { fixture } from "../helpers/app";
import { startNginx, type Nginx } from "../helpers/nginx";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

interface Whoami {
  ip: string;
  ips: string[];
  protocol: string;
  hostname: string;
  id: string;
}

/** GET through nginx from a chosen loopback source address, with any headers (Host included). */
function get(
  port: number,
  headers: Record<string, string>,
  localAddress = "127.0.0.5",
): Promise<{ headers: http.IncomingHttpHeaders; body: Whoami }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: "/api/whoami", headers, localAddress, agent: false },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ headers: res.headers, body: JSON.parse(text) as Whoami }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.each([
  ["TRUST_PROXY=1", "1"],
  // Only nginx's own address. ("loopback" would also trust this test's 127.0.0.5 client.)
  ["TRUST_PROXY=127.0.0.1/32", "127.0.0.1/32"],
])("behind a real nginx with %s", (_name, trustProxy) => {
  let server: Spawned;
  let nginx: Nginx;
  beforeAll(async () => {
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("production"),
      TRUST_PROXY: trustProxy,
    });
    nginx = await startNginx(await waitForListening(server));
  });
  afterAll(async () => {
    await nginx?.stop();
    await stopProcess(server);
  });

  it("sees the client's address, not nginx's", async () => {
    const { body } = await get(nginx.port, { Host: "api.example.test" });
    expect(body.ip).toBe("127.0.0.5");
    expect(body.hostname).toBe("api.example.test");
    expect(body.protocol).toBe("http");
  });

  it("does not believe an X-Forwarded-For or X-Forwarded-Proto the client made up", async () => {
    const { body } = await get(nginx.port, {
      Host: "api.example.test",
      "X-Forwarded-For": "6.6.6.6",
      "X-Forwarded-Proto": "https",
    });
    expect(body.ip).toBe("127.0.0.5");
    expect(body.protocol).toBe("http");
  });

  it("passes the client's X-Request-Id through to the response and the log", async () => {
    const { headers, body } = await get(nginx.port, { Host: "a", "X-Request-Id": "client-req-77" });
    expect(headers["x-request-id"]).toBe("client-req-77");
    expect(body.id).toBe("client-req-77");
    // Logging is asynchronous: give the line a moment to reach stdout.
    const logged = /"reqId":"client-req-77"[^\n]*"request completed"/;
    for (let i = 0; i < 40 && !logged.test(server.stdout()); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(server.stdout()).toMatch(logged);
  });

  it("uses nginx's generated request id when the client sends none", async () => {
    const { headers } = await get(nginx.port, { Host: "a" });
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("behind a real nginx without TRUST_PROXY", () => {
  it("reports nginx's own address: forwarded headers are ignored", async () => {
    const server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: fixture("production"),
    });
    const nginx = await startNginx(await waitForListening(server));
    try {
      const { body } = await get(nginx.port, {
        Host: "api.example.test",
        "X-Forwarded-For": "6.6.6.6",
      });
      expect(body.ip).toBe("127.0.0.1");
    } finally {
      await nginx.stop();
      await stopProcess(server);
    }
  });
});
