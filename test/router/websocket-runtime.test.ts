import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { toRouteRow } from "../../src/cli/route-table";
import type { Route } from "../../src/loader/load-routes";
import { documentRoutes } from "../../src/openapi";
import { connectWebSocket, createTestApp, type TestApp } from "../../src/testing";
import { fixture } from "../helpers/app";

// WebSocket route handlers over real sockets with the `ws` client, through the server `npm start`
// runs (createTestApp's listen()). Fixture: test/fixtures/websockets.

const ROUTES = fixture("websockets/routes");
const opened: TestApp[] = [];

async function start(env: Record<string, string> = {}): Promise<{ app: TestApp; base: string }> {
  const app = await createTestApp({
    routesDir: ROUTES,
    env: { WEBSOCKETS: "on", API_TOKENS: "ws-token", LOG_LEVEL: "info", ...env },
  });
  opened.push(app);
  const base = (await app.listen()).replace(/^http/, "ws");
  return { app, base };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close()));
});

interface Refusal {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A handshake the server answers with anything but 101: its status, headers and body. */
function refused(
  url: string,
  options?: WebSocket.ClientOptions,
  protocols?: string[],
): Promise<Refusal> {
  const ws = new WebSocket(url, protocols, options);
  ws.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("the handshake was accepted"));
    });
    ws.once("unexpected-response", (req, res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        req.destroy();
      });
    });
  });
}

/** A raw upgrade request with the headers given: what a non-`ws` client could send. */
function rawUpgrade(url: string, headers: Record<string, string>): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const req = http.get(url.replace(/^ws/, "http"), {
      headers: { Connection: "Upgrade", Upgrade: "websocket", ...headers },
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      reject(new Error("upgraded"));
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

const KEY = Buffer.alloc(16, 7).toString("base64");

describe("WEBSOCKETS off (the default)", () => {
  it("answers an upgrade request as an ordinary one: the route's 426, a pages route's JSON", async () => {
    const { base } = await start({ WEBSOCKETS: "off" });
    const echo = await refused(`${base}/echo`);
    expect(echo.status).toBe(426);
    const hello = await rawUpgrade(`${base}/api/hello`, {
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": KEY,
    });
    expect(hello.status).toBe(200);
    expect(JSON.parse(hello.body)).toEqual({ file: "hello.ts" });
  });
});

describe("NextResponse.upgrade() (vercel/next.js#95574)", () => {
  it("runs GET once per handshake and puts its headers and cookies on the 101", async () => {
    const { base } = await start();
    const headers = new Promise<http.IncomingHttpHeaders>((resolve) => {
      const ws = new WebSocket(`${base}/echo?x=1`);
      ws.once("upgrade", (res) => resolve(res.headers));
      ws.once("open", () => ws.close());
    });
    const upgraded = await headers;
    expect(upgraded["x-handshake"]).toBe("echo");
    expect(upgraded["set-cookie"]).toEqual([expect.stringMatching(/^session=from-get/)]);
    expect(upgraded["x-request-id"]).toEqual(expect.any(String));
    const first = await connectWebSocket(`${base}/echo?x=2`);
    const second = await connectWebSocket(`${base}/echo`);
    const a = JSON.parse(String(await first.nextMessage())) as { runs: number };
    const b = JSON.parse(String(await second.nextMessage())) as { runs: number };
    expect(b.runs - a.runs).toBe(1);
    expect(a).toMatchObject({ path: "/echo", query: "?x=2" });
    first.close();
    second.close();
  });

  it("sends text and bytes; reads text() and uint8Array(); closes with the hook's code", async () => {
    const { app } = await start();
    const ws = await app.openWebSocket("/echo");
    await ws.nextMessage();
    ws.send("hi");
    expect(await ws.nextMessage()).toBe("echo:hi");
    ws.send(Buffer.from([1, 2, 3]));
    expect(await ws.nextMessage()).toEqual(Buffer.from([1, 2, 3]));
    ws.send("bye");
    expect(await ws.closed).toEqual({ code: 4000, reason: "bye to you" });
  });

  it("answers a plain GET 426 with Upgrade, Sec-WebSocket-Version and Connection: close", async () => {
    const { app } = await start();
    const res = await fetch(`${await app.listen()}/echo`);
    expect(res.status).toBe(426);
    expect(res.headers.get("upgrade")).toBe("websocket");
    expect(res.headers.get("sec-websocket-version")).toBe("13");
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.text()).toBe("This route only accepts WebSocket upgrade requests.");
  });

  it("sends GET's ordinary Response as the refusal: status, headers, body, no 101", async () => {
    const { base } = await start();
    const res = await refused(`${base}/reject`);
    expect(res).toMatchObject({ status: 403, body: "not you" });
    expect(res.headers["x-why"]).toBe("rejected by GET");
    expect(res.headers.connection).toBe("close");
  });

  it("closes with 1011 when a hook throws, 1009 past WS_MAX_MESSAGE_SIZE", async () => {
    const { app } = await start({ WS_MAX_MESSAGE_SIZE: "1kb" });
    const throwing = await app.openWebSocket("/echo");
    throwing.send("throw");
    expect((await throwing.closed).code).toBe(1011);
    const big = await app.openWebSocket("/echo");
    big.send("x".repeat(2048));
    expect((await big.closed).code).toBe(1009);
  });

  it("runs message hooks in order: a synchronous one waits for an async one before it", async () => {
    const { app } = await start();
    const ws = await app.openWebSocket("/echo");
    await ws.nextMessage(); // open's greeting
    ws.send("slow:1");
    ws.send("2");
    ws.send("slow:3");
    ws.send("4");
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ws.nextMessage());
    expect(answers).toEqual(["echo:slow:1", "echo:2", "echo:slow:3", "echo:4"]);
    // Synchronous hooks with nothing before them answer at once, in order too.
    for (let i = 0; i < 20; i++) ws.send(`n${i}`);
    const quick = [];
    for (let i = 0; i < 20; i++) quick.push(await ws.nextMessage());
    expect(quick).toEqual(Array.from({ length: 20 }, (_, i) => `echo:n${i}`));
    ws.close();
  });

  it("closes with 1011 when a message hook's promise rejects", async () => {
    const { app } = await start();
    const ws = await app.openWebSocket("/echo");
    ws.send("reject");
    expect((await ws.closed).code).toBe(1011);
  });

  it("publishes to the other subscribers of the same pathname only", async () => {
    const { app } = await start();
    const [a1, a2, b] = await Promise.all([
      app.openWebSocket("/room/a"),
      app.openWebSocket("/room/a"),
      app.openWebSocket("/room/b"),
    ]);
    for (const ws of [a1, a2, b]) expect(await ws.nextMessage()).toBe("joined");
    a1.send("hello a");
    expect(await a2.nextMessage()).toBe("hello a");
    b.send("hello b");
    a2.send("again");
    expect(await a1.nextMessage()).toBe("again");
    for (const ws of [a1, a2, b]) ws.close();
  });

  it("selects the route's subprotocol when offered, refuses 400 when not", async () => {
    const { base } = await start();
    const ws = await connectWebSocket(`${base}/protocol`, { protocols: ["other", "chat.v1"] });
    expect(ws.protocol).toBe("chat.v1");
    expect(await ws.nextMessage()).toBe("chat.v1 chosen");
    ws.close();
    const refusal = await refused(`${base}/protocol`, {}, ["other"]);
    expect(refusal.status).toBe(400);
    expect(JSON.parse(refusal.body)).toEqual({
      message: "Selected WebSocket subprotocol was not offered by the client.",
    });
  });
});

describe("next-ws's UPGRADE and SOCKET", () => {
  it("runs a file that exports only UPGRADE: params, server.clients, await headers()", async () => {
    const { app, base } = await start();
    const ws = await connectWebSocket(`${base}/next-ws/a/b`, { headers: { "user-agent": "ua/1" } });
    expect(JSON.parse(String(await ws.nextMessage()))).toEqual({
      params: { slug: ["a", "b"] },
      clients: 1,
      hasClient: true,
      userAgent: "ua/1",
      url: "/next-ws/a/b",
    });
    ws.send("ping");
    expect(await ws.nextMessage()).toBe("next-ws:ping");
    ws.close();
    expect((await fetch(`${await app.listen()}/next-ws/a`)).status).toBe(405);
  });

  it("prefers SOCKET over GET for an upgrade; a plain GET still gets GET", async () => {
    const { app, base } = await start();
    const ws = await connectWebSocket(`${base}/legacy`);
    expect(await ws.nextMessage()).toBe("legacy:/legacy:1");
    ws.close();
    await ws.closed;
    const res = await fetch(`${await app.listen()}/legacy`);
    expect(await res.json()).toEqual({ plain: "GET" });
  });
});

describe("what runs before the 101", () => {
  it("runs the folder's _middleware and authenticate; their refusals reach the client", async () => {
    const { base } = await start();
    const noKey = await refused(`${base}/secure`);
    expect(noKey.status).toBe(401);
    expect(JSON.parse(noKey.body)).toEqual({ message: "No key" });
    const noToken = await refused(`${base}/secure`, { headers: { "x-key": "open-sesame" } });
    expect(noToken.status).toBe(401);
    const ws = await connectWebSocket(`${base}/secure`, {
      headers: { "x-key": "open-sesame", authorization: "Bearer ws-token" },
    });
    expect(await ws.nextMessage()).toBe("secret");
    ws.close();
  });

  it("refuses a malformed handshake before GET runs: 426 with the version, 400 for a bad key", async () => {
    const { base } = await start();
    const version = await rawUpgrade(`${base}/reject`, {
      "Sec-WebSocket-Version": "8",
      "Sec-WebSocket-Key": KEY,
    });
    expect(version.status).toBe(426);
    expect(version.headers["sec-websocket-version"]).toBe("13");
    expect(version.headers["x-why"]).toBeUndefined();
    const key = await rawUpgrade(`${base}/reject`, {
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "short",
    });
    expect(key.status).toBe(400);
    expect(JSON.parse(key.body)).toEqual({ message: "Invalid Sec-WebSocket-Key header." });
  });

  it("accepts the server's own origin and ALLOWED_WS_ORIGINS, refuses others 403", async () => {
    const { base } = await start({ ALLOWED_WS_ORIGINS: "https://app.example.com" });
    const host = new URL(base).host;
    const foreign = await refused(`${base}/echo`, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    for (const origin of [`http://${host}`, "https://app.example.com"]) {
      const ws = await connectWebSocket(`${base}/echo`, { origin });
      ws.close();
    }
  });

  it("accepts next.config's experimental.webSocketRouteHandlers.allowedOrigins too", async () => {
    const app = await createTestApp({
      routesDir: fixture("websockets-origins/routes"),
      env: { WEBSOCKETS: "on", ALLOWED_WS_ORIGINS: "https://app.example.com" },
    });
    opened.push(app);
    const base = (await app.listen()).replace(/^http/, "ws");
    for (const origin of ["https://guest.example", "https://app.example.com"]) {
      const ws = await connectWebSocket(`${base}/echo`, { origin });
      expect(await ws.nextMessage()).toBe("open");
      ws.close();
    }
    const foreign = await refused(`${base}/echo`, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({ message: "WebSocket origin is not allowed." });
  });

  it("stops start-up naming next.config and an allowedOrigins entry that could never match", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-ws-origins-"));
    try {
      cpSync(fixture("websockets-origins"), dir, { recursive: true });
      writeFileSync(
        path.join(dir, "next.config.js"),
        'module.exports = { experimental: { webSocketRouteHandlers: { allowedOrigins: ["https://guest.example/"] } } };\n',
      );
      const failure = await createTestApp({
        routesDir: path.join(dir, "routes"),
        env: { WEBSOCKETS: "on" },
      }).catch((error: unknown) => error);
      expect(String(failure)).toMatch(/next\.config\.js: /);
      expect(String(failure)).toContain('"https://guest.example/" is not an exact origin');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts an upgrade as a request for RATE_LIMIT", async () => {
    const { base } = await start({ RATE_LIMIT: "2/1m" });
    for (let i = 0; i < 2; i++) (await connectWebSocket(`${base}/echo`)).close();
    expect((await refused(`${base}/echo`)).status).toBe(429);
  });

  it("answers 503 past WS_MAX_CONNECTIONS, and /readyz reports the open sockets", async () => {
    const { app, base } = await start({ WS_MAX_CONNECTIONS: "1" });
    const url = await app.listen();
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: "ready", websockets: 0 });
    const ws = await connectWebSocket(`${base}/echo`);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await refused(`${base}/echo`)).status).toBe(503);
    ws.close();
    await ws.closed;
  });
});

describe("limits, logs and shutdown", () => {
  it("closes with 1008 past WS_MESSAGE_RATE", async () => {
    const { app } = await start({ WS_MESSAGE_RATE: "3/1m" });
    const ws = await app.openWebSocket("/echo");
    for (let i = 0; i < 4; i++) ws.send(`m${i}`);
    expect((await ws.closed).code).toBe(1008);
  });

  it("cuts a peer that stops answering pings", async () => {
    const { app } = await start({ WS_PING_INTERVAL_MS: "100" });
    const ws = await app.openWebSocket("/echo", { autoPong: false });
    expect((await ws.closed).code).toBe(1006);
  });

  it("logs one line per upgrade: status 101 and the close code", async () => {
    const { app } = await start();
    const ws = await app.openWebSocket("/echo");
    ws.close(1000);
    await ws.closed;
    for (let i = 0; i < 100 && !app.logs.some((l) => l.status === 101); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(app.logs.find((line) => line.status === 101)).toMatchObject({
      msg: "request completed",
      url: "/echo",
      websocketCloseCode: 1000,
    });
  });

  it("closes open sockets with 1001 when the server stops", async () => {
    const app = await createTestApp({ routesDir: ROUTES, env: { WEBSOCKETS: "on" } });
    const ws = await app.openWebSocket("/echo");
    await app.close();
    expect((await ws.closed).code).toBe(1001);
  });
});

describe("the route table and OpenAPI", () => {
  it("lists WS among a WebSocket route's methods, and a file with only UPGRADE as a route", async () => {
    const app = await createTestApp({ routesDir: ROUTES });
    opened.push(app);
    const rows = (app.routes as Route[]).map(toRouteRow);
    const methods = (pattern: string) => rows.find((row) => row.pattern === pattern)?.methods;
    expect(methods("/echo")).toEqual(["GET", "HEAD", "OPTIONS", "WS"]);
    expect(methods("/next-ws/[...slug]")).toEqual(["OPTIONS", "WS"]);
    expect(methods("/reject")).toEqual(["GET", "HEAD", "OPTIONS"]);
  });

  it("marks the upgrade GET with x-websocket, 101 and (for NextResponse.upgrade) 426", async () => {
    const app = await createTestApp({ routesDir: ROUTES });
    opened.push(app);
    const document = documentRoutes(app.routes as Route[], ROUTES);
    const echo = document.paths["/echo"]?.get as unknown as Record<string, unknown>;
    expect(echo["x-websocket"]).toBe(true);
    expect(Object.keys(echo.responses as object)).toEqual(["101", "426"]);
    const nextWs = document.paths["/next-ws/{slug}"]?.get as unknown as Record<string, unknown>;
    expect(nextWs["x-websocket"]).toBe(true);
    expect(document.paths["/reject"]?.get).not.toHaveProperty("x-websocket");
  });
});
