import http from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { RELEASES_IDLE_TIMERS } from "../../src/http/outside-requests";
import { createUrlRedactor, DEFAULT_REDACTED_QUERY_KEYS } from "../../src/http/redact-url";
import { createRequestContext, currentRequestScope } from "../../src/middleware/request-context";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Full collections until `ref`'s target is gone or the tries run out; true when it is gone. */
async function isCollected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    // A WeakRef keeps its target until the job that made or read it ends: collect in a later one.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe("request context", () => {
  let server: http.Server;
  let port: number;
  let lastScope: WeakRef<object> | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    const requestContext = createRequestContext(
      pino({ level: "silent" }),
      createUrlRedactor(DEFAULT_REDACTED_QUERY_KEYS),
    );
    // Node's default keep-alive timeout: node:http re-arms it as each response finishes.
    server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) =>
      requestContext(req, res, () => {
        const scope = currentRequestScope();
        if (scope) lastScope = new WeakRef(scope);
        res.end("ok");
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function get(): Promise<string> {
    return new Promise((resolve, reject) => {
      http
        .get({ port, host: "127.0.0.1", path: "/api/hello", agent }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
  }

  // On Node 24 and later. Node 22, where releasing costs about 5 µs per request and the young
  // generation does not grow without it, keeps the scope until the connection's next response.
  it(`${RELEASES_IDLE_TIMERS ? "leaves nothing" : "keeps the scope (Node 22)"} of a keep-alive connection's last request while the connection waits`, async () => {
    expect(await get()).toBe("ok");
    expect(await get()).toBe("ok");
    // The connection stays open (the agent keeps it), its keep-alive timer armed.
    const open = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(open).toBe(1);
    const ref = lastScope;
    lastScope = undefined;
    expect(ref).toBeDefined();
    expect(RELEASES_IDLE_TIMERS).toBe(Number(process.versions.node.split(".")[0]) >= 24);
    expect(await isCollected(ref as WeakRef<object>)).toBe(RELEASES_IDLE_TIMERS);
  });
});
