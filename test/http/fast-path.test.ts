import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { getFastHandler } from "../../src/app";
import { createMessageClasses } from "../../src/http/fast-path";
import { buildTestApp } from "../helpers/app";

/**
 * The real server answers through the fast path (no Express router), supertest through Express.
 * Both must give the same answers: one table of requests, each sent both ways, compared.
 */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const VARYING = new Set(["date", "x-request-id", "keep-alive", "connection"]);

function listen(handler: http.RequestListener, app?: Express): Promise<{ port: number; close: () => Promise<void> }> {
  const server = app ? http.createServer(createMessageClasses(app), handler) : http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ port, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        const kept = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
        resolve({ status: res.statusCode ?? 0, headers: kept, body: text.replace(/"(id|reqId)":"[^"]*"/g, '"$1":"…"') });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const CASES: [string, string, Record<string, string>?, string?][] = [
  ["GET", "/api/json/hello"],
  ["GET", "/api/json/hello", { "if-none-match": '"16vc7u5e1wir"' }],
  ["HEAD", "/api/json/hello"],
  ["GET", "/api/query/echo?a=1&a=2&b=%20x"],
  ["GET", "/api/query/some-post?post=ignored"],
  ["POST", "/api/body/echo", { "content-type": "application/json" }, '{"x":[1,2]}'],
  ["POST", "/api/body/echo", { "content-type": "application/json" }, "{oops"],
  ["POST", "/api/body/limit-100", { "content-type": "text/plain" }, "x".repeat(101)],
  ["GET", "/api/cookies", { cookie: "a=1; a=2; b=%20x" }],
  ["GET", "/api/errors/throw"],
  ["GET", "/api/errors/api-error"],
  ["GET", "/api/redirect/default"],
  ["GET", "/api/json/hello/"],
  ["GET", "/api//json/hello?x=1"],
  ["GET", "/api/%E0%A4%A"],
  ["GET", "/api/nothing/here"],
  ["GET", "/healthz"],
  ["GET", "/readyz"],
  ["GET", "/elsewhere"],
  ["PROPFIND", "/api/method"],
];

describe("the fast path and the Express app answer alike", () => {
  let express: Awaited<ReturnType<typeof listen>>;
  let fast: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    const { app } = await buildTestApp("next-api");
    express = await listen(app);
    fast = await listen(getFastHandler(app) as unknown as http.RequestListener, app);
  });
  afterAll(async () => {
    await express.close();
    await fast.close();
  });

  // Every row as four values: jest would take a missing one for a `done` callback.
  const rows = CASES.map(([method, path, headers = {}, body]) => [method, path, headers, body] as const);
  it.each(rows)("%s %s", async (method, path, headers, body) => {
    const viaExpress = await send(express.port, method, path, headers, body);
    const viaFastPath = await send(fast.port, method, path, headers, body);
    expect(viaFastPath).toEqual(viaExpress);
    expect(viaFastPath.status).toBeGreaterThanOrEqual(200);
  });
});
