import type { Express } from "express";
import request from "supertest";
import { buildTestApp } from "../helpers/app";

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp("mw-async"));
});

describe("async and callback-style middleware", () => {
  it("runs one after another: a slow async middleware is awaited before the next one starts", async () => {
    const res = await request(app).get("/api/ordered");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      file: "ordered.ts",
      seen: ["slow", "sync", "timer", "quick"],
    });
  });

  it("keeps concurrent requests apart", async () => {
    const responses = await Promise.all([1, 2, 3].map(() => request(app).get("/api/ordered")));
    for (const res of responses)
      expect(res.body.seen).toStrictEqual(["slow", "sync", "timer", "quick"]);
  });

  it("hands what an async middleware loaded to the handler", async () => {
    const res = await request(app).get("/api/sets-state?id=42");
    expect(res.body).toStrictEqual({ file: "sets-state.ts", user: { id: "42" } });
  });

  it("stops the chain when an async middleware answers itself, and the handler never runs", async () => {
    const refused = await request(app).get("/api/answers");
    expect(refused.status).toBe(403);
    expect(refused.body).toStrictEqual({ message: "Closed", handlerRuns: 0 });
    const again = await request(app).get("/api/answers");
    expect(again.body).toStrictEqual({ message: "Closed", handlerRuns: 0 });
    const allowed = await request(app).get("/api/answers").set("X-Let-Me-In", "yes");
    expect(allowed.status).toBe(200);
    expect(allowed.body).toStrictEqual({ file: "answers.ts", handlerRuns: 1 });
  });
});
