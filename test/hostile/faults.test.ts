import {
  eventually,
  exchange,
  expectConnectionsDrained,
  expectHealthy,
  expectJsonError,
  get,
  head,
  startHostileServer,
  type HostileServer,
} from "./support";

let server: HostileServer;
beforeAll(async () => {
  server = await startHostileServer("hostile-faults");
});
afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

let sequence = 0;
const requestId = (label: string) => `${label}-${++sequence}`;

/** The log line at `level` (error: 50, warn: 40) that names this request and route. */
async function expectLogged(
  reqId: string,
  route: string,
  level: number,
  message?: RegExp,
): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await eventually(
    () =>
      (line = server
        .logLines()
        .find((l) => l.reqId === reqId && l.level === level && l.route === route)) !== undefined,
    5000,
    `a level-${level} line for ${reqId} naming ${route}`,
  );
  if (message) expect(line?.msg).toMatch(message);
  return line as Record<string, unknown>;
}

describe("a handler that fails", () => {
  it.each([
    ["throws synchronously", "throw-sync", /GET \/api\/throw-sync failed/],
    ["rejects", "reject", /GET \/api\/reject failed/],
    [
      "throws in a timer it started, before answering",
      "throw-later",
      /uncaught exception in a request to throw-later\.ts: answered 500/,
    ],
    [
      "leaves a rejected promise unhandled",
      "reject-unhandled",
      /unhandled rejection in a request to reject-unhandled\.ts: answered 500/,
    ],
    [
      "lets an emitter's 'error' go unheard",
      "emitter-error",
      /uncaught exception in a request to emitter-error\.ts: answered 500/,
    ],
    [
      "pipes a stream that fails before its first byte",
      "stream-error-early",
      /uncaught exception in a request to stream-error-early\.ts/,
    ],
  ])(
    "%s: a JSON 500, the route and request id logged at error, the process serves on",
    async (_case, name, message) => {
      const reqId = requestId(name);
      const res = await get(server, `/api/${name}`, { "X-Request-Id": reqId });
      expectJsonError(res, 500, "Internal Server Error");
      expect(res.headers["x-request-id"]).toBe(reqId);
      const line = await expectLogged(reqId, `${name}.ts`, 50, message);
      expect((line.err as { message?: string }).message).toMatch(
        name === "stream-error-early" ? /ENOENT/ : /on purpose|nobody|a timer/,
      );
      await expectHealthy(server);
    },
  );

  it("a timer started after the body was read still belongs to the request", async () => {
    const reqId = requestId("throw-later-post");
    const body = JSON.stringify({ pad: "x".repeat(200_000) });
    const { responses } = await exchange(
      server.port,
      head("POST /api/throw-later HTTP/1.1", {
        "X-Request-Id": reqId,
        "Content-Type": "application/json",
        "Content-Length": body.length,
      }),
      { parts: [body.slice(0, 1000), 50, body.slice(1000)], responses: 1 },
    );
    expectJsonError(responses[0], 500, "Internal Server Error");
    await expectLogged(reqId, "throw-later.ts", 50, /answered 500/);
    await expectHealthy(server);
  });

  it("pipes a stream that fails mid-response: the connection is cut (the client sees a truncated body), the route logged", async () => {
    const reqId = requestId("stream-error");
    const { raw, closed } = await exchange(
      server.port,
      head("GET /api/stream-error HTTP/1.1", { "X-Request-Id": reqId }),
      { timeoutMs: 3000 },
    );
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(raw).toContain("first chunk");
    expect(raw.endsWith("0\r\n\r\n")).toBe(false);
    expect(closed).toBe(true);
    await expectLogged(reqId, "stream-error.ts", 50, /the connection is cut/);
    await expectHealthy(server);
  });

  it.each([
    [
      "throws in a timer after answering",
      "throw-after-answer",
      /uncaught exception in a request to throw-after-answer\.ts: after its response/,
    ],
    [
      "writes after ending its response",
      "write-after-end",
      /uncaught exception in a request to write-after-end\.ts: after its response/,
    ],
  ])(
    "%s: the client keeps its answer, the error is logged with the route",
    async (_case, name, message) => {
      const reqId = requestId(name);
      const res = await get(server, `/api/${name}`, { "X-Request-Id": reqId });
      expect(res.status).toBe(200);
      await expectLogged(reqId, `${name}.ts`, 50, message);
      await expectHealthy(server);
    },
  );

  it("never answers (returns without a response): a warning names the route, the client's give-up is logged", async () => {
    const reqId = requestId("never");
    const { responses } = await exchange(
      server.port,
      head("GET /api/never HTTP/1.1", { "X-Request-Id": reqId }),
      { timeoutMs: 300 },
    );
    expect(responses).toEqual([]);
    await expectLogged(
      reqId,
      "never.ts",
      40,
      /API resolved without sending a response for \/api\/never/,
    );
    await eventually(
      () =>
        server
          .logLines()
          .some((l) => l.reqId === reqId && l.aborted === true && l.route === "never.ts"),
      5000,
      "aborted line",
    );
    await expectConnectionsDrained(server);
    await expectHealthy(server);
  });

  it("never answers (awaits forever): the client's give-up is logged with the route, nothing is left open", async () => {
    const reqId = requestId("hang");
    await exchange(server.port, head("GET /api/hang HTTP/1.1", { "X-Request-Id": reqId }), {
      timeoutMs: 300,
    });
    await eventually(
      () =>
        server
          .logLines()
          .some((l) => l.reqId === reqId && l.aborted === true && l.route === "hang.ts"),
      5000,
      "aborted line",
    );
    await expectConnectionsDrained(server);
    await expectHealthy(server);
  });
});

it("requests to healthy routes are unaffected while every fault fires at once", async () => {
  const faults = [
    "throw-sync",
    "reject",
    "throw-later",
    "reject-unhandled",
    "emitter-error",
    "stream-error-early",
    "stream-error",
    "throw-after-answer",
    "write-after-end",
  ];
  const failing = Array.from({ length: 5 }, () =>
    faults.map((name) => get(server, `/api/${name}`).catch(() => undefined)),
  ).flat();
  const healthy = Array.from({ length: 100 }, (_, i) => get(server, `/api/echo?i=${i}`));
  const answers = await Promise.all(healthy);
  expect(answers.map((res) => res.status)).toEqual(Array(100).fill(200));
  expect(answers.map((res) => (JSON.parse(res.body) as { query: { i: string } }).query.i)).toEqual(
    Array.from({ length: 100 }, (_, i) => String(i)),
  );
  await Promise.all(failing);
  await expectConnectionsDrained(server);
  await expectHealthy(server);
});
