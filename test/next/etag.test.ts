import type { Express } from "express";
import request from "supertest";
import { generateETag } from "../../src/next/etag";
import { buildTestApp } from "../helpers/app";
import { nextETag } from "./next-etag";

const HELLO_ETAG = '"16vc7u5e1wir"';

describe("generateETag", () => {
  it.each([
    ['{"message":"Hello, World!"}', HELLO_ETAG],
    ["hello", '"2caikvdqo85"'],
    ["", '"78p3gz236i0"'],
  ])("gives Next's known value for %j", (payload, etag) => {
    expect(generateETag(payload)).toBe(etag);
  });

  it.each([
    ["unicode", "héllo wörld ✓ 😀"],
    ["a long payload", "x".repeat(100_000)],
    [
      "every UTF-16 code unit",
      Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join(""),
    ],
    ["a serialised Buffer", JSON.stringify(Buffer.from([0, 1, 254, 255]))],
  ])("agrees with Next's algorithm on %s", (_name, payload) => {
    expect(generateETag(payload)).toBe(nextETag(payload));
  });
});

describe("ETag and conditional requests", () => {
  let app: Express;
  beforeAll(async () => {
    ({ app } = await buildTestApp("next-api"));
  });

  it("sends a strong ETag with Next's exact value", async () => {
    const res = await request(app).get("/api/json/hello");
    expect(res.headers.etag).toBe(HELLO_ETAG);
  });

  it.each([
    ["the same ETag", HELLO_ETAG],
    ["a weak form of it", `W/${HELLO_ETAG}`],
    ["a list holding it", `"other", ${HELLO_ETAG}`],
    ["*", "*"],
  ])("answers 304 with an empty body and the ETag for If-None-Match: %s", async (_name, header) => {
    const res = await request(app).get("/api/json/hello").set("If-None-Match", header);
    expect(res.status).toBe(304);
    expect(res.text).toBe("");
    expect(res.headers.etag).toBe(HELLO_ETAG);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("answers 200 with the body when If-None-Match does not match", async () => {
    const res = await request(app).get("/api/json/hello").set("If-None-Match", '"stale"');
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ message: "Hello, World!" });
  });

  it("answers 200 when the request says Cache-Control: no-cache", async () => {
    const res = await request(app)
      .get("/api/json/hello")
      .set("If-None-Match", HELLO_ETAG)
      .set("Cache-Control", "no-cache");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ message: "Hello, World!" });
  });

  it("does not look at the method: a matching POST gets 304 too", async () => {
    const res = await request(app).post("/api/json/hello").set("If-None-Match", HELLO_ETAG);
    expect(res.status).toBe(304);
  });

  it("applies to res.send of a string", async () => {
    const first = await request(app).get("/api/send/string");
    const again = await request(app)
      .get("/api/send/string")
      .set("If-None-Match", String(first.headers.etag));
    expect(again.status).toBe(304);
  });
});
