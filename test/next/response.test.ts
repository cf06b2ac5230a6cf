import http from "node:http";
import net from "node:net";
import { buildTestApp, type TestApp } from "../helpers/app";
import { nextETag } from "./next-etag";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";
import { listen, rawRequest, type RawResponse } from "../helpers/raw-http";

const JSON_TYPE = "application/json; charset=utf-8";
const REDIRECT_ERROR =
  "Invalid redirect arguments. Please use a single argument URL, e.g. res.redirect('/destination') " +
  "or use a status code and URL, e.g. res.redirect(307, '/destination').";

let logs: TestApp["logs"];
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  const built = await buildTestApp("next-api");
  logs = built.logs;
  server = await listen(built.app);
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest({ port: server.port, method: "GET", path, headers });
}

describe("res.status", () => {
  it("sets the status and returns res for chaining", async () => {
    const res = await get("/api/send/status-chain");
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body.toString())).toStrictEqual({ chained: true, statusCode: 201 });
  });
});

describe("res.send", () => {
  it.each(["null", "undefined"])(
    "ends with an empty body and no Content-Type for %s, keeping the status",
    async (kind) => {
      const res = await get(`/api/send/${kind}`);
      expect(res.status).toBe(202);
      expect(res.body.length).toBe(0);
      expect(res.headers["content-type"]).toBeUndefined();
      expect(res.headers.etag).toBeUndefined();
    },
  );

  it.each(["204", "304"])(
    "strips Content-Type, Content-Length and Transfer-Encoding for %s",
    async (status) => {
      const res = await get(`/api/send/bodiless-status?status=${status}`);
      expect(res.status).toBe(Number(status));
      expect(res.body.length).toBe(0);
      expect(res.headers["content-type"]).toBeUndefined();
      expect(res.headers["content-length"]).toBeUndefined();
      expect(res.headers["transfer-encoding"]).toBeUndefined();
    },
  );

  it("pipes a stream as application/octet-stream, without ETag or Content-Length", async () => {
    const res = await get("/api/send/stream");
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("streamed body");
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers["content-length"]).toBeUndefined();
    expect(res.headers["transfer-encoding"]).toBe("chunked");
  });

  it("keeps a Content-Type set before sending a stream", async () => {
    const res = await get("/api/send/stream?type=text/csv");
    expect(res.headers["content-type"]).toBe("text/csv");
  });

  it("sends a Buffer's bytes as application/octet-stream with Content-Length and Next's ETag", async () => {
    const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff]);
    const res = await get("/api/send/buffer");
    expect(res.body).toEqual(bytes);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers["content-length"]).toBe("4");
    // Next hashes JSON.stringify(buffer), not the bytes.
    expect(res.headers.etag).toBe(nextETag(JSON.stringify(bytes)));
  });

  it("keeps a Content-Type set before sending a Buffer", async () => {
    const res = await get("/api/send/buffer?type=image/png");
    expect(res.headers["content-type"]).toBe("image/png");
  });

  it.each([
    ["object", { a: 1 }],
    ["array", [1, "two"]],
    ["number", 3.5],
    ["boolean", false],
  ])("sends a %s as JSON, overwriting an earlier Content-Type", async (kind, value) => {
    const payload = JSON.stringify(value);
    const res = await get(`/api/send/json-like?kind=${kind}`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(payload);
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(res.headers["content-length"]).toBe(String(payload.length));
    expect(res.headers.etag).toBe(nextETag(payload));
  });

  it("sends a number as a JSON body, not as a status code", async () => {
    const res = await get("/api/send/number");
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("42");
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
  });

  it("sends a string as is, with Content-Length in bytes, an ETag and no Content-Type", async () => {
    const res = await get("/api/send/string");
    expect(res.body.toString()).toBe("héllo");
    expect(res.headers["content-type"]).toBeUndefined();
    expect(res.headers["content-length"]).toBe("6");
    expect(res.headers.etag).toBe(nextETag("héllo"));
  });

  it("keeps a Content-Type set before sending a string", async () => {
    const res = await get("/api/send/string-typed");
    expect(res.body.toString()).toBe("<p>hi</p>");
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
  });
});

describe("res.send of a value it cannot send", () => {
  it("answers 500 for a function, never its source code", async () => {
    const reqId = newRequestId("send-function");
    const res = await get("/api/send/function", { "X-Request-Id": reqId });
    expect(res.status).toBe(500);
    expect(res.body.toString()).not.toContain("source code");
    expect(linesFor(logs, reqId)).toContainEqual(
      expect.objectContaining({
        level: LEVEL.error,
        err: expect.objectContaining({
          message: expect.stringContaining("cannot send a function"),
        }),
      }),
    );
  });
});

describe("res.json", () => {
  it("overwrites a Content-Type set earlier", async () => {
    const res = await get("/api/json/overwrite");
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(res.body.toString()).toBe('{"data":[]}');
  });

  it("sends an empty body with the JSON Content-Type for undefined", async () => {
    const res = await get("/api/json/undefined");
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
  });

  it.each([
    ["null", "null"],
    ["string", '"Hello world!"'],
    ["true", "true"],
  ])("sends %s as the JSON text %s", async (route, body) => {
    const res = await get(`/api/json/${route}`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(body);
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(res.headers["content-length"]).toBe(String(body.length));
  });

  it("answers 500 for a value JSON.stringify rejects (a circular object)", async () => {
    const reqId = newRequestId("circular");
    const res = await get("/api/json/circular", { "X-Request-Id": reqId });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toStrictEqual({ message: "Internal Server Error" });
    expect(linesFor(logs, reqId)).toContainEqual(
      expect.objectContaining({
        level: LEVEL.error,
        err: expect.objectContaining({ message: expect.stringContaining("circular") }),
      }),
    );
  });
});

describe("res.redirect", () => {
  it("redirects with 307 and the URL as a plain body when given only a URL", async () => {
    const res = await get("/api/redirect/default");
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe("/login");
    expect(res.body.toString()).toBe("/login");
    expect(res.headers["content-type"]).toBeUndefined();
  });

  it("uses the given status and writes an absolute Location verbatim", async () => {
    const res = await get("/api/redirect/with-status");
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe("https://example.com/elsewhere?from=api");
    expect(res.body.toString()).toBe("https://example.com/elsewhere?from=api");
  });

  it.each(["status-only", "null"])(
    "answers 500 and logs Next's message for invalid arguments (%s)",
    async (route) => {
      const reqId = newRequestId(`redirect-${route}`);
      const res = await get(`/api/redirect/${route}`, { "X-Request-Id": reqId });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body.toString())).toStrictEqual({ message: "Internal Server Error" });
      expect(res.headers.location).toBeUndefined();
      expect(linesFor(logs, reqId)).toContainEqual(
        expect.objectContaining({
          level: LEVEL.error,
          err: expect.objectContaining({ message: REDIRECT_ERROR }),
        }),
      );
    },
  );
});

describe("the raw Node response API", () => {
  it("works with statusCode, setHeader, write and end, and adds no ETag", async () => {
    const res = await get("/api/raw/write-end");
    expect(res.status).toBe(201);
    expect(res.headers["x-raw"]).toBe("yes");
    expect(res.body.toString()).toBe("abc");
    expect(res.headers.etag).toBeUndefined();
  });

  it("works with writeHead, with Node's status text", async () => {
    const res = await get("/api/raw/write-head");
    expect(res.status).toBe(418);
    expect(res.statusMessage).toBe("I'm a Teapot");
    expect(res.body.toString()).toBe("short and stout");
  });

  it("sends an empty body for write('') then end()", async () => {
    const res = await get("/api/raw/empty-write");
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("");
  });

  it("accepts a stream piped into res", async () => {
    const res = await get("/api/raw/pipe");
    expect(res.body.toString()).toBe("piped into res");
    expect(res.headers["content-type"]).toBe("text/plain");
  });
});

describe("res.revalidate", () => {
  it("rejects with a message saying it is not supported", async () => {
    const res = await get("/api/revalidate/handled");
    expect(res.status).toBe(501);
    expect(JSON.parse(res.body.toString()).message).toMatch(
      /^Failed to revalidate \/blog\/post-1: .*not supported/,
    );
  });

  it("answers 500 when the rejection is not handled", async () => {
    const reqId = newRequestId("revalidate");
    const res = await get("/api/revalidate/unhandled", { "X-Request-Id": reqId });
    expect(res.status).toBe(500);
    expect(linesFor(logs, reqId)).toContainEqual(
      expect.objectContaining({
        level: LEVEL.error,
        err: expect.objectContaining({ message: expect.stringContaining("not supported") }),
      }),
    );
  });
});

describe("a stream given to res.send that fails", () => {
  it("answers the JSON 500 when it fails before its first chunk, and logs it", async () => {
    const reqId = newRequestId("stream-error-early");
    const res = await get("/api/send/stream-error-early", { "X-Request-Id": reqId });
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe(JSON_TYPE);
    expect(JSON.parse(res.body.toString())).toStrictEqual({ message: "Internal Server Error" });
    expect(linesFor(logs, reqId).filter((line) => line.level === LEVEL.error)).toStrictEqual([
      expect.objectContaining({
        route: "send/stream-error-early.ts",
        err: expect.objectContaining({ message: "no such file" }),
      }),
    ]);
  });

  it("cuts the connection when it fails mid-way, logs it, and the server keeps serving", async () => {
    const reqId = newRequestId("stream-error");
    await expect(get("/api/send/stream-error", { "X-Request-Id": reqId })).rejects.toThrow();
    expect(linesFor(logs, reqId).filter((line) => line.level === LEVEL.error)).toStrictEqual([
      expect.objectContaining({ err: expect.objectContaining({ message: "disk went away" }) }),
    ]);
    expect((await get("/api/json/hello")).status).toBe(200);
  });
});

describe("a stream given to res.send when the client leaves", () => {
  it("is destroyed, so its file or socket is released", async () => {
    const reqId = newRequestId("stream-endless");
    await new Promise<void>((resolve, reject) => {
      const req = http.get({
        port: server.port,
        host: "127.0.0.1",
        path: "/api/send/stream-endless",
        headers: { "X-Request-Id": reqId },
      });
      req.on("response", (res) => res.once("data", () => req.destroy()));
      req.on("close", resolve);
      req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(linesFor(logs, reqId).map((line) => line.msg)).toContain("source closed");
  });

  it("is destroyed when the client had left before the handler sent it", async () => {
    const reqId = newRequestId("stream-after-client-left");
    const socket = net.connect(server.port, "127.0.0.1");
    socket.on("error", () => undefined);
    socket.write(
      `GET /api/send/stream-after-client-left HTTP/1.1\r\nHost: x\r\nX-Request-Id: ${reqId}\r\n\r\n`,
    );
    setTimeout(() => socket.destroy(), 50);
    for (let i = 0; i < 80 && !linesFor(logs, reqId).some((l) => l.msg === "source closed"); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(linesFor(logs, reqId).map((line) => line.msg)).toContain("source closed");
  });
});
