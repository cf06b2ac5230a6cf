import type { Express } from "express";
import request from "supertest";
import { buildTestApp, type TestApp } from "../helpers/app";
import { linesFor, newRequestId } from "../helpers/log-lines";
import { chunksOf, listen, rawRequest, type RawResponse } from "../helpers/raw-http";

const MIB = 1024 * 1024;
const JSON_TYPE = "application/json; charset=utf-8";

let app: Express;
let logs: TestApp["logs"];
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  ({ app, logs } = await buildTestApp("next-api"));
  server = await listen(app);
});
afterAll(() => server.close());

function post(
  path: string,
  headers: Record<string, string | number>,
  chunks: Buffer[],
): Promise<RawResponse> {
  return rawRequest({ port: server.port, path, headers, chunks });
}

function json(res: RawResponse): unknown {
  return JSON.parse(res.body.toString());
}

function expectRejected(res: RawResponse, status: number, message: string): void {
  expect(res.status).toBe(status);
  expect(res.statusMessage).toBe(message);
  expect(res.headers["content-type"]).toBe(JSON_TYPE);
  expect(json(res)).toStrictEqual({ message });
}

describe("req.body without a body", () => {
  it.each(["get", "post", "put", "patch", "delete", "options"] as const)(
    "is an empty string for %s",
    async (method) => {
      const res = await request(app)[method]("/api/body/echo");
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({ type: "string", body: "" });
    },
  );
});

describe("req.body for JSON", () => {
  it("parses a JSON body", async () => {
    const res = await request(app)
      .post("/api/body/echo")
      .send([{ title: "Nextjs" }]);
    expect(res.body).toStrictEqual({ type: "object", body: [{ title: "Nextjs" }] });
  });

  it.each([
    ["123", "number", 123],
    ["null", "object", null],
    ['"str"', "string", "str"],
    ["true", "boolean", true],
    [" [1] \n", "object", [1]],
  ])("accepts the JSON value %j (no strict mode)", async (text, type, body) => {
    const res = await request(app)
      .post("/api/body/echo")
      .set("Content-Type", "application/json")
      .send(text);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ type, body });
  });

  it.each(["application/ld+json", "Application/JSON", "application/json; charset=UTF-8"])(
    "parses %s as JSON",
    async (type) => {
      const res = await request(app)
        .post("/api/body/echo")
        .set("Content-Type", type)
        .send('{"a":1}');
      expect(res.body).toStrictEqual({ type: "object", body: { a: 1 } });
    },
  );

  it("turns an empty JSON body into {}", async () => {
    const res = await request(app)
      .post("/api/body/echo")
      .set("Content-Type", "application/json")
      .send("");
    expect(res.body).toStrictEqual({ type: "object", body: {} });
  });

  it.each([
    ["whitespace only", " \n\t"],
    ["malformed", "{oops"],
    ["truncated", '{"a":'],
  ])("answers 400 Invalid JSON for a %s body and never calls the handler", async (_name, text) => {
    const reqId = newRequestId("invalid-json");
    const res = await post(
      "/api/body/logged",
      { "Content-Type": "application/json", "X-Request-Id": reqId },
      [Buffer.from(text)],
    );
    expectRejected(res, 400, "Invalid JSON");
    expect(linesFor(logs, reqId).filter((line) => line.msg === "handler called")).toHaveLength(0);
  });

  it("calls the handler for valid JSON (the counterpart of the test above)", async () => {
    const reqId = newRequestId("valid-json");
    const res = await post(
      "/api/body/logged",
      { "Content-Type": "application/json", "X-Request-Id": reqId },
      [Buffer.from("{}")],
    );
    expect(res.status).toBe(200);
    expect(linesFor(logs, reqId).filter((line) => line.msg === "handler called")).toHaveLength(1);
  });
});

describe("req.body for urlencoded forms", () => {
  it("decodes flat, with repeated keys as arrays and + as a space", async () => {
    const res = await request(app)
      .post("/api/body/echo")
      .set("Content-Type", "application/x-www-form-urlencoded")
      .send("a=1&a=2&b=hello+world&c%5Bd%5D=3&e[f]=4");
    expect(res.body).toStrictEqual({
      type: "object",
      body: { a: ["1", "2"], b: "hello world", "c[d]": "3", "e[f]": "4" },
    });
  });

  it("matches the type case-insensitively", async () => {
    const res = await request(app)
      .post("/api/body/echo")
      .set("Content-Type", "application/x-www-Form-urlencoded")
      .send("x=1");
    expect(res.body).toStrictEqual({ type: "object", body: { x: "1" } });
  });

  it("turns an empty form into {}", async () => {
    const res = await request(app)
      .post("/api/body/echo")
      .set("Content-Type", "application/x-www-form-urlencoded")
      .send("");
    expect(res.body).toStrictEqual({ type: "object", body: {} });
  });
});

describe("req.body for every other type", () => {
  const multipart = '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n';

  it.each([
    ["text/plain", "plain text"],
    ["application/xml", "<a>1</a>"],
    ["multipart/form-data; boundary=xyz", multipart],
    ["application/octet-stream", "raw bytes"],
    ["application/x-unknown", '{"not":"parsed"}'],
  ])("gives %s as the raw string", async (type, text) => {
    const res = await post("/api/body/echo", { "Content-Type": type }, [Buffer.from(text)]);
    expect(json(res)).toStrictEqual({ type: "string", body: text });
  });

  it("gives a body without Content-Type as a string, even when it looks like JSON", async () => {
    const res = await post("/api/body/echo", {}, [Buffer.from('{"a":1}')]);
    expect(json(res)).toStrictEqual({ type: "string", body: '{"a":1}' });
  });

  it('falls back to text for a malformed Content-Type ("application/json;") without an error', async () => {
    const res = await post("/api/body/echo", { "Content-Type": "application/json;" }, [
      Buffer.from('{"a":1}'),
    ]);
    expect(res.status).toBe(200);
    expect(json(res)).toStrictEqual({ type: "string", body: '{"a":1}' });
  });

  it("decodes binary data as UTF-8 text", async () => {
    const res = await post("/api/body/echo", { "Content-Type": "application/octet-stream" }, [
      Buffer.from([0x61, 0xff, 0x62]),
    ]);
    expect(json(res)).toStrictEqual({ type: "string", body: "a\uFFFDb" });
  });

  it("decodes with the declared charset (latin1 e9 74 e9 → été)", async () => {
    const res = await post("/api/body/echo", { "Content-Type": "text/plain; charset=latin1" }, [
      Buffer.from([0xe9, 0x74, 0xe9]),
    ]);
    expect(json(res)).toStrictEqual({ type: "string", body: "été" });
  });

  it("decodes JSON in the declared charset", async () => {
    const bytes = Buffer.concat([Buffer.from('{"v":"'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const res = await post(
      "/api/body/echo",
      { "Content-Type": "application/json; charset=iso-8859-1" },
      [bytes],
    );
    expect(json(res)).toStrictEqual({ type: "object", body: { v: "é" } });
  });

  it("answers 400 Invalid body for an unsupported charset and never calls the handler", async () => {
    const reqId = newRequestId("bad-charset");
    const res = await post(
      "/api/body/logged",
      { "Content-Type": "text/plain; charset=foo", "X-Request-Id": reqId },
      [Buffer.from("x")],
    );
    expectRejected(res, 400, "Invalid body");
    expect(linesFor(logs, reqId).filter((line) => line.msg === "handler called")).toHaveLength(0);
  });
});

describe("the body size limit", () => {
  it("accepts exactly 1 MiB with Content-Length", async () => {
    const res = await post(
      "/api/body/length",
      { "Content-Type": "text/plain", "Content-Length": MIB },
      chunksOf(MIB),
    );
    expect(res.status).toBe(200);
    expect(json(res)).toStrictEqual({ type: "string", length: MIB });
  });

  it("rejects 1 MiB + 1 byte with Content-Length: 413 Body exceeded 1mb limit, connection closed", async () => {
    const res = await post(
      "/api/body/length",
      { "Content-Type": "text/plain", "Content-Length": MIB + 1 },
      chunksOf(MIB + 1),
    );
    expectRejected(res, 413, "Body exceeded 1mb limit");
    expect(res.headers.connection).toBe("close");
  });

  it("answers a Content-Length over the limit before any of the body is sent, and closes", async () => {
    const res = await rawRequest({
      port: server.port,
      path: "/api/body/length",
      headers: { "Content-Type": "text/plain", "Content-Length": 2 * MIB },
      end: false,
    });
    expectRejected(res, 413, "Body exceeded 1mb limit");
    expect(res.headers.connection).toBe("close");
  });

  it("accepts exactly 1 MiB sent chunked", async () => {
    const res = await post("/api/body/length", { "Content-Type": "text/plain" }, chunksOf(MIB));
    expect(res.status).toBe(200);
    expect(json(res)).toStrictEqual({ type: "string", length: MIB });
  });

  it("rejects 1 MiB + 1 byte sent chunked", async () => {
    const res = await post("/api/body/length", { "Content-Type": "text/plain" }, chunksOf(MIB + 1));
    expectRejected(res, 413, "Body exceeded 1mb limit");
  });

  it("measures the raw bytes, not the decoded characters", async () => {
    // 512 Ki × "é" is 1 MiB of UTF-8 but only 512 Ki characters.
    const res = await post("/api/body/length", { "Content-Type": "text/plain" }, [
      Buffer.from("é".repeat(MIB / 2)),
      Buffer.from("x"),
    ]);
    expectRejected(res, 413, "Body exceeded 1mb limit");
  });

  it.each([
    ["1024 bytes pass", 1024, 200],
    ["1025 bytes fail", 1025, 413],
  ])('applies sizeLimit "1kb": %s', async (_name, size, status) => {
    const res = await post("/api/body/limit-1kb", { "Content-Type": "text/plain" }, chunksOf(size));
    expect(res.status).toBe(status);
    if (status === 413) expectRejected(res, 413, "Body exceeded 1kb limit");
  });

  it.each([
    ["text/plain", "a".repeat(100)],
    ["application/json", JSON.stringify("a".repeat(98))],
    ["application/x-www-form-urlencoded", `a=${"b".repeat(98)}`],
    ["application/octet-stream", "c".repeat(100)],
    ["multipart/form-data; boundary=x", "d".repeat(100)],
  ])("applies a numeric sizeLimit (100) to %s", async (type, text) => {
    expect(Buffer.byteLength(text)).toBe(100);
    const atLimit = await post("/api/body/limit-100", { "Content-Type": type }, [
      Buffer.from(text),
    ]);
    expect(atLimit.status).toBe(200);
    const overLimit = await post("/api/body/limit-100", { "Content-Type": type }, [
      Buffer.from(`${text} `),
    ]);
    expectRejected(overLimit, 413, "Body exceeded 100 limit");
  });

  it("rejects an oversized body on a GET too", async () => {
    const res = await rawRequest({
      port: server.port,
      method: "GET",
      path: "/api/body/limit-100",
      headers: { "Content-Length": 101 },
      chunks: chunksOf(101),
    });
    expectRejected(res, 413, "Body exceeded 100 limit");
  });

  describe("with BODY_LIMIT=10b", () => {
    let small: Awaited<ReturnType<typeof listen>>;
    beforeAll(async () => {
      small = await listen((await buildTestApp("next-api", { BODY_LIMIT: "10b" })).app);
    });
    afterAll(() => small.close());

    it("uses it as the default limit and names it in the message", async () => {
      const fits = await rawRequest({
        port: small.port,
        path: "/api/body/length",
        chunks: [Buffer.from("0123456789")],
      });
      expect(fits.status).toBe(200);
      const over = await rawRequest({
        port: small.port,
        path: "/api/body/length",
        chunks: [Buffer.from("0123456789X")],
      });
      expectRejected(over, 413, "Body exceeded 10b limit");
    });

    it("leaves a route's own sizeLimit in charge", async () => {
      const res = await rawRequest({
        port: small.port,
        path: "/api/body/limit-1kb",
        chunks: chunksOf(1024),
      });
      expect(res.status).toBe(200);
    });
  });
});

describe("config.api.bodyParser", () => {
  it("false leaves the body unread for the handler to stream", async () => {
    const res = await post("/api/body/no-parser", { "Content-Type": "text/plain" }, [
      Buffer.from("raw "),
      Buffer.from("text"),
    ]);
    expect(json(res)).toStrictEqual({ bodyType: "undefined", length: 8, head: "raw text" });
  });

  it("false does not reject invalid JSON", async () => {
    const res = await post("/api/body/no-parser", { "Content-Type": "application/json" }, [
      Buffer.from("{oops"),
    ]);
    expect(res.status).toBe(200);
    expect(json(res)).toStrictEqual({ bodyType: "undefined", length: 5, head: "{oops" });
  });

  it("false applies no size limit", async () => {
    const res = await post(
      "/api/body/no-parser",
      { "Content-Type": "application/json" },
      chunksOf(2 * MIB + 1),
    );
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ bodyType: "undefined", length: 2 * MIB + 1 });
  });

  it.each(["parser-true", "parser-empty-object"])("%s keeps the default parsing", async (route) => {
    const res = await request(app)
      .post(`/api/body/${route}`)
      .send({ a: [1, 2] });
    expect(res.body).toStrictEqual({ type: "object", body: { a: [1, 2] } });
  });

  it.each(["parser-true", "parser-empty-object"])(
    "%s keeps the default 1mb limit",
    async (route) => {
      const res = await post(
        `/api/body/${route}`,
        { "Content-Type": "text/plain" },
        chunksOf(MIB + 1),
      );
      expectRejected(res, 413, "Body exceeded 1mb limit");
    },
  );
});
