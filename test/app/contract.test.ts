import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import request from "supertest";
import { createTestApp } from "../../src/testing";
import { fixture } from "../helpers/app";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

// One table of cases, run through the real server process (`node dist/src/main.js`, as `npm
// start` serves) and through createTestApp (the app supertest and `http.createServer(app)` get):
// the answers must be identical, and right. Sessions, flash messages, passport and a CSP nonce
// live on res.locals and req.session: what differed between the two before they were one.

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const ROUTES = fixture("express-citizen");
const ENV = { API_TOKENS: "contract-token" };

interface Step {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** Headers whose values are compared; others (Date, ETag of a body with a nonce) differ by nature. */
const COMPARED_HEADERS = [
  "content-type",
  "allow",
  "www-authenticate",
  "cache-control",
  "content-security-policy",
  "x-content-type-options",
  "x-frame-options",
  "location",
];

/** Values that are fresh on every request: a nonce, a session id. */
function normalize(text: string): string {
  return text
    .replace(/nonce-[A-Za-z0-9+/=]+/g, "nonce-N")
    .replace(/nonce="[A-Za-z0-9+/=]+"/g, 'nonce="N"');
}

/** A client with a cookie jar, as a browser or Postman keeps one per session. */
function client(origin: string) {
  const jar = new Map<string, string>();
  return async function send({
    method = "GET",
    path: target,
    headers = {},
    body,
  }: Step): Promise<Answer> {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const res = await fetch(origin + target, {
      method,
      headers: {
        ...headers,
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: "manual",
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair.split("=");
      jar.set(name, value);
    }
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    const seen: Answer["headers"] = Object.fromEntries(
      COMPARED_HEADERS.map((name) => [name, res.headers.get(name) ?? undefined]),
    );
    seen["set-cookie"] =
      res.headers
        .getSetCookie()
        .map((line) => line.replace(/=[^;]*/, "=…"))
        .join(" | ") || undefined;
    const csp = seen["content-security-policy"];
    if (csp) seen["content-security-policy"] = normalize(csp);
    return {
      status: res.status,
      headers: seen,
      body: type.startsWith("application/json") ? JSON.parse(text) : normalize(text),
    };
  };
}

type Check = (answers: Answer[]) => void;

/** Each case: steps sharing one cookie jar, and what the answers must say (on both targets). */
const CASES: [string, Step[], Check][] = [
  [
    "a route's middleware and handler see what app.use'd functions see in Express",
    [{ path: "/api/probe?x=1&x=2" }],
    ([a]) => {
      expect(a.status).toBe(200);
      const seen = {
        locals: "object",
        localsPrototype: "null",
        reqApp: true,
        resApp: true,
        circular: true,
        baseUrl: "",
        next: "function",
        originalUrl: "/api/probe?x=1&x=2",
        params: {},
        route: { path: "/api/probe", methods: { _all: true } },
      };
      expect(a.body).toEqual({
        inMiddleware: seen,
        inHandler: seen,
        seenBy: ["_middleware.ts", "probe.ts middleware"],
        query: { x: ["1", "2"] },
      });
    },
  ],
  [
    "a dynamic route gets req.params and req.route as Express gives them, and Next's params in req.query",
    [
      { path: "/api/items/42?sort=asc" },
      { method: "PUT", path: "/api/items/42" },
      { method: "OPTIONS", path: "/api/items/42" },
    ],
    ([get, put, options]) => {
      expect(get.body).toEqual({
        params: { id: "42" },
        query: { sort: "asc", id: "42" },
        route: "/api/items/:id",
        methods: { get: true, delete: true },
      });
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe("GET, HEAD, DELETE, OPTIONS");
      expect(options.status).toBe(204);
    },
  ],
  [
    "express-session keeps a visit count in its memory store across requests",
    [
      { path: "/api/session/visits" },
      { path: "/api/session/visits" },
      { path: "/api/session/visits" },
    ],
    (answers) => {
      expect(answers.map((a) => a.body)).toEqual([{ visits: 1 }, { visits: 2 }, { visits: 3 }]);
      expect(answers[0].headers["set-cookie"]).toBe("sid=…; Path=/; HttpOnly; SameSite=Lax");
    },
  ],
  [
    "connect-flash: a message flashed in one request is in res.locals.messages in the next, once",
    [
      { method: "POST", path: "/api/session/flash", body: { text: "saved" } },
      { path: "/api/session/flash" },
      { path: "/api/session/flash" },
    ],
    ([post, first, second]) => {
      expect(post.status).toBe(201);
      expect(first.body).toEqual({ messages: { info: ["saved"] } });
      expect(second.body).toEqual({ messages: {} });
    },
  ],
  [
    "passport's bearer strategy in a route's chain sets req.user, and refuses a bad token with its own 401",
    [
      { path: "/api/auth/me", headers: { authorization: "Bearer ada-token" } },
      { path: "/api/auth/me", headers: { authorization: "Bearer wrong" } },
      { path: "/api/auth/me" },
    ],
    ([ok, wrong, none]) => {
      expect(ok.body).toEqual({ user: { name: "Ada", via: "passport" }, isAuthenticated: true });
      expect(wrong.status).toBe(401);
      expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="Users", error="invalid_token"');
      expect(none.status).toBe(401);
    },
  ],
  [
    "helmet's CSP nonce from res.locals reaches both the header and the page",
    [{ path: "/api/csp" }],
    ([a]) => {
      expect(a.status).toBe(200);
      expect(a.headers["content-security-policy"]).toBe("default-src 'none';script-src 'nonce-N'");
      expect(a.body).toBe('<!doctype html><script nonce="N">document.title = "ok";</script>');
    },
  ],
  [
    "errors from a chain and from a handler are the JSON 500, nothing else",
    [{ path: "/api/fails?in=middleware" }, { path: "/api/fails?in=handler" }],
    (answers) => {
      for (const a of answers) {
        expect(a.status).toBe(500);
        expect(a.body).toEqual({ message: "Internal Server Error" });
      }
    },
  ],
  [
    "what no route claims is the JSON 404, with the security headers",
    [{ path: "/api/nothing/here" }, { path: "/elsewhere" }],
    (answers) => {
      for (const a of answers) {
        expect(a.status).toBe(404);
        expect(a.body).toEqual({ message: "Not Found" });
        expect(a.headers["x-content-type-options"]).toBe("nosniff");
      }
    },
  ],
];

async function runCases(origin: string): Promise<Answer[][]> {
  const results: Answer[][] = [];
  for (const [, steps] of CASES) {
    const send = client(origin);
    const answers: Answer[] = [];
    for (const step of steps) answers.push(await send(step));
    results.push(answers);
  }
  return results;
}

describe("the server process and createTestApp give the same answers", () => {
  let server: Spawned;
  let inProcess: http.Server;
  let fromProcess: Answer[][];
  let fromTestApp: Answer[][];

  beforeAll(async () => {
    server = spawnProcess("node", [MAIN], {
      HOST: "127.0.0.1",
      PORT: "0",
      ROUTES_DIR: ROUTES,
      ...ENV,
    });
    const { app } = await createTestApp({
      routesDir: ROUTES,
      env: { ...ENV, LOG_LEVEL: "silent" },
    });
    inProcess = http.createServer(app);
    await new Promise<void>((resolve) => inProcess.listen(0, "127.0.0.1", resolve));
    const port = await waitForListening(server);
    fromProcess = await runCases(`http://127.0.0.1:${port}`);
    fromTestApp = await runCases(`http://127.0.0.1:${(inProcess.address() as AddressInfo).port}`);
  }, 60_000);

  afterAll(async () => {
    inProcess?.closeAllConnections();
    await new Promise((resolve) => inProcess?.close(resolve));
    if (server) expect(await stopProcess(server)).toBe(0);
  });

  it.each(CASES.map(([name], index) => [name, index] as const))("%s", (_name, index) => {
    expect(fromTestApp[index]).toEqual(fromProcess[index]);
    CASES[index][2](fromProcess[index]);
  });
});

describe("supertest over createTestApp", () => {
  it("sees the same Express citizen as the server, through its own http.createServer(app)", async () => {
    const { app } = await createTestApp({ routesDir: ROUTES, env: ENV });
    const res = await request(app).get("/api/probe");
    expect(res.body.inHandler).toMatchObject({
      locals: "object",
      baseUrl: "",
      next: "function",
      route: { path: "/api/probe" },
    });
    const agent = request.agent(app);
    await agent.get("/api/session/visits").expect(200, { visits: 1 });
    await agent.get("/api/session/visits").expect(200, { visits: 2 });
  });
});
