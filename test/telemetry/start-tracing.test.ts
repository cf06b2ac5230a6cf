import { execFileSync } from "node:child_process";
import path from "node:path";
import { fixture } from "../helpers/app";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A W3C traceparent from an upstream service (https://www.w3.org/TR/trace-context/#traceparent-header).
const UPSTREAM_TRACE = "0af7651916cd43dd8448eb211c80319c";
const UPSTREAM_SPAN = "b7ad6b7169203331";

function startTracedServer(receiver: OtlpReceiver, env: Record<string, string> = {}): Spawned {
  return spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    ROUTES_DIR: fixture("traced/routes"),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_SERVICE_NAME: "traced-test",
    // Export every 100 ms rather than every 5 s.
    OTEL_BSP_SCHEDULE_DELAY: "100",
    ...env,
  });
}

/** Every JSON line the server logged. */
function logLines(server: Spawned): Record<string, unknown>[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitForSpans(
  receiver: OtlpReceiver,
  count: number,
  filter: (span: ReceivedSpan) => boolean = () => true,
): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 200; i++) {
    const found = receiver.spans.filter(filter);
    if (found.length >= count) return found;
    await sleep(25);
  }
  throw new Error(
    `expected ${count} spans, received ${JSON.stringify(receiver.spans.map((s) => s.name))}`,
  );
}

const serverSpans = (receiver: OtlpReceiver) =>
  receiver.spans.filter((span) => span.scope === "nextpress");

describe("traces over OTLP/HTTP, from the real server process", () => {
  let receiver: OtlpReceiver;
  let server: Spawned;
  let port: number;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    server = startTracedServer(receiver);
    port = await waitForListening(server);
  });
  afterAll(async () => {
    await stopProcess(server);
    await receiver.close();
  });
  const get = (urlPath: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}${urlPath}`, { headers });

  it("makes one SERVER span named by the route template, continuing the incoming traceparent, and logs its ids", async () => {
    const res = await get("/api/users/42?secret=x", {
      traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-01`,
      "x-request-id": "traced-1",
    });
    expect(await res.json()).toEqual({ id: "42" });
    const [span] = await waitForSpans(
      receiver,
      1,
      (s) => s.scope === "nextpress" && s.traceId === UPSTREAM_TRACE,
    );
    expect(span).toMatchObject({
      name: "GET /api/users/[id]",
      kind: 2,
      traceId: UPSTREAM_TRACE,
      parentSpanId: UPSTREAM_SPAN,
    });
    expect(span.attributes).toMatchObject({
      "http.route": "/api/users/[id]",
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "url.path": "/api/users/42",
      "url.scheme": "http",
      "client.address": "127.0.0.1",
    });
    expect(JSON.stringify(span.attributes)).not.toMatch(/secret/);
    expect(span.status.code ?? 0).toBe(0);
    expect(span.resource).toMatchObject({
      "service.name": "traced-test",
      "telemetry.sdk.name": "opentelemetry",
    });
    // The route's own span is a child of the server span.
    const [child] = await waitForSpans(
      receiver,
      1,
      (s) => s.name === "load user" && s.traceId === UPSTREAM_TRACE,
    );
    expect(child.parentSpanId).toBe(span.spanId);
    // The request's log lines carry the span's ids: the route's own line, and the request line.
    await sleep(100);
    const lines = logLines(server).filter((line) => line.reqId === "traced-1");
    expect(lines.map((line) => line.msg)).toEqual(["looking the user up", "request completed"]);
    for (const line of lines)
      expect(line).toMatchObject({ trace_id: span.traceId, span_id: span.spanId });
  });

  it("starts a new trace without a traceparent, and names app routes by their template too", async () => {
    await get("/web/items/7", { "x-request-id": "traced-2" });
    const [span] = await waitForSpans(
      receiver,
      1,
      (s) => s.scope === "nextpress" && s.attributes["url.path"] === "/web/items/7",
    );
    expect(span).toMatchObject({
      name: "GET /web/items/[id]",
      attributes: expect.objectContaining({
        "http.route": "/web/items/[id]",
        "http.response.status_code": 200,
      }),
    });
    expect(span.parentSpanId || undefined).toBeUndefined();
    expect(span.traceId).not.toBe(UPSTREAM_TRACE);
  });

  it("marks a 5xx as an error with the exception, and names an unmatched request by its method alone", async () => {
    expect((await get("/api/boom")).status).toBe(500);
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/nothing-here`, { method: "DELETE" })).status,
    ).toBe(404);
    const [boom] = await waitForSpans(
      receiver,
      1,
      (s) => s.scope === "nextpress" && s.attributes["url.path"] === "/api/boom",
    );
    expect(boom).toMatchObject({ name: "GET /api/boom", status: { code: 2 } });
    expect(boom.attributes).toMatchObject({
      "http.response.status_code": 500,
      "error.type": "500",
    });
    expect(boom.events).toContainEqual({
      name: "exception",
      attributes: expect.objectContaining({ "exception.message": "boom.ts fails on purpose" }),
    });
    const [missing] = await waitForSpans(
      receiver,
      1,
      (s) => s.scope === "nextpress" && s.attributes["url.path"] === "/api/nothing-here",
    );
    expect(missing.name).toBe("DELETE");
    expect(missing.attributes["http.route"]).toBeUndefined();
    expect(missing.attributes["http.response.status_code"]).toBe(404);
    expect(missing.status.code ?? 0).toBe(0);
  });

  it("makes exactly one span per request and none for health checks", async () => {
    const before = serverSpans(receiver).length;
    for (let i = 0; i < 10; i++) await (await get(`/api/users/${i}`)).arrayBuffer();
    for (let i = 0; i < 5; i++) await (await get("/healthz")).arrayBuffer();
    await waitForSpans(receiver, before + 10, (s) => s.scope === "nextpress");
    await sleep(300);
    const spans = serverSpans(receiver).slice(before);
    expect(spans).toHaveLength(10);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(10);
    expect(spans.every((s) => s.name === "GET /api/users/[id]")).toBe(true);
  });

  it("has the SDK registered before instrumentation.ts's register() runs", async () => {
    const [span] = await waitForSpans(receiver, 1, (s) => s.name === "register");
    expect(span.attributes["sdk.registered"]).toBe(true);
  });
});

describe("the OTLP protocol", () => {
  it("is http/protobuf unless OTEL_EXPORTER_OTLP_PROTOCOL says http/json, as the specification has it", async () => {
    const receiver = await startOtlpReceiver();
    const server = startTracedServer(receiver, { OTEL_EXPORTER_OTLP_PROTOCOL: "" });
    try {
      const port = await waitForListening(server);
      await (await fetch(`http://127.0.0.1:${port}/api/users/1`)).arrayBuffer();
      for (let i = 0; i < 200 && receiver.contentTypes.length === 0; i++) await sleep(25);
      expect(receiver.contentTypes[0]).toBe("application/x-protobuf");
    } finally {
      await stopProcess(server);
      await receiver.close();
    }
  });
});

describe("with tracing off", () => {
  /** Which optional packages a built app has loaded, in a fresh Node process. */
  function loadedPackages(env: Record<string, string>): string[] {
    const script = `
      const { loadConfig } = require("./dist/src/config");
      const { createApp } = require("./dist/src/app/create-app");
      createApp(loadConfig(), { logger: require("pino")({ level: "silent" }) }).then(async (built) => {
        const loaded = Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean);
        console.log(JSON.stringify([...new Set(loaded)].filter((name) => /opentelemetry|redis|rate-limit/.test(name)).sort()));
        await built.close();
      });`;
    return JSON.parse(
      execFileSync("node", ["-e", script], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH, ROUTES_DIR: fixture("auth"), ...env },
        encoding: "utf8",
      }),
    ) as string[];
  }

  it("loads none of OpenTelemetry; nor the rate limiter or the Redis client until they are configured", () => {
    expect(loadedPackages({})).toEqual([]);
    // The app's part of tracing is the API alone (the server process starts the SDK).
    expect(loadedPackages({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" })).toEqual([
      "@opentelemetry/api",
    ]);
    expect(loadedPackages({ RATE_LIMIT: "100/1m" })).toEqual(["express-rate-limit"]);
  });
});
