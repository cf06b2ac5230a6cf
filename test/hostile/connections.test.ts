import net from "node:net";
import {
  eventually,
  exchange,
  expectConnectionsDrained,
  expectHealthy,
  expectJsonError,
  get,
  head,
  sleep,
  startHostileServer,
  type HostileServer,
} from "./support";

// Short timeouts, so that the server's own limits end what hostile clients start.
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("hostile-input", {
    HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });
});
afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});
afterEach(async () => {
  await expectConnectionsDrained(server);
  await expectHealthy(server);
});

/** A pause between writes, repeated: what a client that never finishes looks like. */
const forever = (part: string, everyMs: number, times = 100) =>
  Array.from({ length: times }, () => [everyMs, part]).flat();

describe("requests that never end are cut by the server's timeouts", () => {
  it("a chunked body that never ends gets a JSON 408 at REQUEST_TIMEOUT_MS", async () => {
    const result = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", {
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
      }) + "1\r\n[\r\n",
      { parts: forever("1\r\n1\r\n", 200), timeoutMs: REQUEST_TIMEOUT_MS * 4 },
    );
    expectJsonError(result.responses[0], 408, "Request Timeout");
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  });

  it("a Content-Length longer than the body sent gets a JSON 408", async () => {
    const result = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", {
        "Content-Type": "application/json",
        "Content-Length": 100,
      }) + '{"a":1}',
      { timeoutMs: REQUEST_TIMEOUT_MS * 4 },
    );
    expectJsonError(result.responses[0], 408, "Request Timeout");
    expect(result.closed).toBe(true);
  });

  it("the same on a route that reads the stream itself (bodyParser: false)", async () => {
    const result = await exchange(
      server.port,
      head("POST /api/raw HTTP/1.1", { "Content-Length": 100 }) + "abc",
      {
        timeoutMs: REQUEST_TIMEOUT_MS * 4,
      },
    );
    expectJsonError(result.responses[0], 408, "Request Timeout");
    expect(result.closed).toBe(true);
  });

  it("a slowloris client (a header byte every 100 ms) gets a JSON 408 at HEADERS_TIMEOUT_MS", async () => {
    const text = "GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100);
    const result = await exchange(server.port, text[0], {
      parts: [...text.slice(1)].flatMap((c) => [100, c]),
      timeoutMs: 8000,
    });
    expectJsonError(result.responses[0], 408, "Request Timeout");
    expect(result.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(result.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
  });

  it("a slow body (a byte every 200 ms) gets a JSON 408 at REQUEST_TIMEOUT_MS", async () => {
    const result = await exchange(
      server.port,
      head("POST /api/echo HTTP/1.1", { "Content-Type": "text/plain", "Content-Length": 1000 }),
      {
        parts: forever("a", 200),
        timeoutMs: REQUEST_TIMEOUT_MS * 4,
      },
    );
    expectJsonError(result.responses[0], 408, "Request Timeout");
  });

  it("50 slowloris clients at once do not hold up anyone else", async () => {
    const slow = Array.from({ length: 50 }, () =>
      exchange(server.port, "GET /api/echo HTTP/1.1\r\n", {
        parts: forever("X-A: b\r\n", 100, 40),
        timeoutMs: 8000,
      }),
    );
    await sleep(200);
    const served: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      expect((await get(server, "/api/echo?i=" + i)).status).toBe(200);
      served.push(Date.now() - started);
    }
    expect(Math.max(...served)).toBeLessThan(1000);
    for (const result of await Promise.all(slow))
      expectJsonError(result.responses[0], 408, "Request Timeout");
  });
});

describe("clients that leave", () => {
  it.each(["/api/echo", "/api/raw"])(
    "a client that disconnects mid-body on %s leaves no socket and no error behind",
    async (target) => {
      for (let i = 0; i < 20; i++) {
        const socket = net.connect(server.port, "127.0.0.1");
        await new Promise((resolve) => socket.once("connect", resolve));
        socket.write(
          head(`POST ${target} HTTP/1.1`, {
            "Content-Type": "application/json",
            "Content-Length": 100_000,
          }) +
            '{"a":"' +
            "x".repeat(5000),
        );
        await sleep(20);
        if (i % 2) socket.destroy();
        else socket.resetAndDestroy();
      }
      await eventually(
        () => server.logLines().filter((l) => l.aborted === true && l.url === target).length >= 20,
        5000,
        "20 aborted lines",
      );
    },
  );

  it("a client that disconnects mid-response leaves no socket behind, and its log line names the route", async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(server.port, "127.0.0.1", () =>
          socket.write(head("GET /api/slow-stream?ms=3000 HTTP/1.1")),
        );
        socket.once("data", () => {
          if (i % 2) socket.destroy();
          else socket.resetAndDestroy();
          resolve();
        });
      });
    }
    await eventually(
      () =>
        server.logLines().filter((l) => l.aborted === true && l.route === "slow-stream.ts")
          .length >= 10,
      5000,
      "10 aborted slow-stream lines naming the route",
    );
  });

  it("a client that sends garbage and then holds its end open is closed by the server", async () => {
    const socket = net.connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true });
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    socket.on("error", () => undefined);
    socket.write("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
    await eventually(() => received.includes('{"message":"Bad Request"}'), 3000, "the 400");
    // Our end stays open: the server must not wait for it.
    await expectConnectionsDrained(server);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
  });

  it("a client that opens a connection and says nothing is closed at HEADERS_TIMEOUT_MS", async () => {
    const result = await exchange(server.port, "", { timeoutMs: 8000 });
    expect(result.closed).toBe(true);
    expect(result.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
  });
});
