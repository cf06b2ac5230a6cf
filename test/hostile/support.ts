import net from "node:net";
import path from "node:path";
import { fixture } from "../helpers/app";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

export const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real server process (`node dist/src/main.js`) over a hostile-* fixture, on a loopback port. */
export interface HostileServer {
  spawned: Spawned;
  port: number;
  url: (path: string) => string;
  /** The JSON log lines written so far. */
  logLines: () => Record<string, unknown>[];
  stop: () => Promise<number | null>;
}

export async function startHostileServer(
  fixtureName: string,
  env: Record<string, string> = {},
): Promise<HostileServer> {
  const spawned = spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    ROUTES_DIR: fixture(fixtureName),
    API_TOKENS: "hostile-token-0123456789abcdef01",
    LOG_LEVEL: "debug",
    ...env,
  });
  const port = await waitForListening(spawned);
  return {
    spawned,
    port,
    url: (target) => `http://127.0.0.1:${port}${target}`,
    logLines: () =>
      spawned
        .stdout()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => stopProcess(spawned),
  };
}

/** Polls `check` until it returns true or `ms` pass; the last error or false fails the test. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`${what} not met within ${ms} ms${lastError ? `: ${String(lastError)}` : ""}`);
}

export interface ParsedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Header lines as sent (latin1), for checks that a value did not split a line. */
  rawHead: string;
  /** Decoded as UTF-8. */
  body: string;
}

export interface Exchange {
  /** Every byte the server sent, as latin1 text. */
  raw: string;
  responses: ParsedResponse[];
  /** The server closed the connection (or reset it) before the deadline. */
  closed: boolean;
  /** How long until the close (or the deadline). */
  elapsedMs: number;
}

/** Splits a byte stream into HTTP/1.1 responses: Content-Length, chunked, or up to the close. */
export function parseResponses(raw: string): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  let rest = raw;
  while (rest.startsWith("HTTP/")) {
    const headEnd = rest.indexOf("\r\n\r\n");
    if (headEnd === -1) break;
    const rawHead = rest.slice(0, headEnd);
    const [statusLine, ...lines] = rawHead.split("\r\n");
    const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
    if (!match) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    let body = "";
    let after = rest.slice(headEnd + 4);
    const status = Number(match[1]);
    if (status === 304 || status === 204 || (status >= 100 && status < 200)) {
      // no body
    } else if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      body = after.slice(0, length);
      after = after.slice(length);
    } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
      for (;;) {
        const lineEnd = after.indexOf("\r\n");
        if (lineEnd === -1) break;
        const size = parseInt(after.slice(0, lineEnd), 16);
        after = after.slice(lineEnd + 2);
        if (!size) {
          after = after.slice(after.indexOf("\r\n") + 2);
          break;
        }
        body += after.slice(0, size);
        after = after.slice(size + 2);
      }
    } else {
      body = after;
      after = "";
    }
    responses.push({
      status,
      statusText: match[2],
      headers,
      rawHead,
      body: Buffer.from(body, "latin1").toString("utf8"),
    });
    rest = after;
  }
  return responses;
}

export interface ExchangeOptions {
  /** Written in order; a number is a pause in milliseconds. */
  parts?: readonly (string | Buffer | number)[];
  /** Give up (and close) after this long. */
  timeoutMs?: number;
  /** Half-close our side after writing. */
  end?: boolean;
  /** Stop waiting as soon as this many complete responses arrived. */
  responses?: number;
}

/**
 * Speaks raw bytes to the server on a fresh connection (what fetch would refuse to send) and
 * returns what came back, split into responses. Strings are sent as latin1: one char, one byte.
 */
export function exchange(
  port: number,
  request: string | Buffer,
  options: ExchangeOptions = {},
): Promise<Exchange> {
  const { parts = [], timeoutMs = 5000, end = false, responses: wanted } = options;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString("latin1");
      resolve({ raw, responses: parseResponses(raw), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (
        wanted !== undefined &&
        completeResponses(Buffer.concat(chunks).toString("latin1")) >= wanted
      )
        finish(false);
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("connect", () => {
      void (async () => {
        for (const part of [request, ...parts]) {
          if (socket.destroyed) return;
          if (typeof part === "number") await sleep(part);
          else socket.write(typeof part === "string" ? Buffer.from(part, "latin1") : part);
        }
        if (end && !socket.destroyed) socket.end();
      })();
    });
  });
}

function completeResponses(raw: string): number {
  const parsed = parseResponses(raw);
  const last = parsed[parsed.length - 1];
  // The last one may be cut short: count it only when its declared length has arrived.
  if (
    last &&
    last.headers["content-length"] !== undefined &&
    last.body.length < Number(last.headers["content-length"])
  ) {
    return parsed.length - 1;
  }
  if (
    last &&
    /chunked/i.test(last.headers["transfer-encoding"] ?? "") &&
    !raw.endsWith("0\r\n\r\n")
  )
    return parsed.length - 1;
  return parsed.length;
}

/** A request head: `GET /path HTTP/1.1`, Host, then `headers`, then the blank line. */
export function head(requestLine: string, headers: Record<string, string | number> = {}): string {
  const lines = [
    requestLine,
    "Host: 127.0.0.1",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return lines.join("\r\n") + "\r\n\r\n";
}

/** What the fixture's state route reports: prototypes, open connections, memory. */
export interface ProcessState {
  polluted: unknown;
  objectPrototype: string[];
  arrayPrototypeExtras: string[];
  connections: number;
  rss: number;
}

/** One request on its own connection (Connection: close), so no pooled socket outlives it. */
export async function get(
  server: HostileServer,
  target: string,
  headers: Record<string, string> = {},
): Promise<ParsedResponse> {
  const { responses } = await exchange(
    server.port,
    head(`GET ${target} HTTP/1.1`, { Connection: "close", ...headers }),
    { responses: 1 },
  );
  if (!responses[0]) throw new Error(`no response to GET ${target}`);
  return responses[0];
}

export async function readState(server: HostileServer): Promise<ProcessState> {
  const res = await get(server, "/api/state");
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as ProcessState;
}

const CLEAN_OBJECT_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();

/**
 * The server is still what it was: alive, ready, answering a normal request, its prototypes
 * untouched and nothing on stderr (an uncaught error would print there before the process died).
 */
export async function expectHealthy(server: HostileServer): Promise<void> {
  expect(server.spawned.child.exitCode).toBeNull();
  expect((await get(server, "/readyz")).status).toBe(200);
  const echo = await get(server, "/api/echo?ok=1");
  expect(echo.status).toBe(200);
  expect((JSON.parse(echo.body) as { query: unknown }).query).toEqual({ ok: "1" });
  const state = await readState(server);
  expect(state.polluted).toBeNull();
  expect(state.objectPrototype).toEqual(CLEAN_OBJECT_PROTOTYPE);
  expect(state.arrayPrototypeExtras).toEqual([]);
  expect(server.spawned.stderr()).toBe("");
}

/** Waits until the server holds no connection but the one asking (the state route's own). */
export async function expectConnectionsDrained(server: HostileServer, ms = 5000): Promise<void> {
  let last = -1;
  await eventually(
    async () => (last = (await readState(server)).connections) === 1,
    ms,
    "connections back to 1",
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last seen: ${last})`);
  });
}

/** Every JSON error the server produces has exactly this shape. */
export function expectJsonError(
  response: ParsedResponse | undefined,
  status: number,
  message?: string | RegExp,
): void {
  expect(response).toBeDefined();
  const res = response as ParsedResponse;
  expect({ status: res.status, contentType: res.headers["content-type"] }).toEqual({
    status,
    contentType: "application/json; charset=utf-8",
  });
  const body = JSON.parse(res.body) as { message: unknown };
  expect(typeof body.message).toBe("string");
  if (message !== undefined)
    expect(body.message).toEqual(
      typeof message === "string" ? message : expect.stringMatching(message),
    );
}
