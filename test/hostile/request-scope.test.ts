import type { AddressInfo } from "node:net";
import request from "supertest";
import { currentRequestScope } from "../../src/middleware/request-context";
import { createAppServer } from "../../src/app/app-server";
import type { Middleware } from "../../src/types";
import { buildTestApp } from "../helpers/app";
import { eventually, exchange, head } from "./support";

interface Seen {
  reqId: string;
  /** What a timer started by the request saw, 5 ms later. */
  inTimer: { id?: string; route?: string; hasRequest: boolean } | undefined;
  /** What a timer that outlives the response saw. */
  afterResponse: { id?: string; route?: string; hasRequest: boolean } | undefined;
}

/** A global middleware (it runs after the body is read) that asks, from timers it starts, whose work this is. */
function recorder(seen: Seen[]): Middleware {
  return (req, _res, next) => {
    const entry: Seen = { reqId: req.id, inTimer: undefined, afterResponse: undefined };
    seen.push(entry);
    const look = () => {
      const scope = currentRequestScope();
      return (
        scope && { id: scope.id, route: scope.route?.file, hasRequest: scope.req !== undefined }
      );
    };
    setTimeout(() => (entry.inTimer = look()), 5);
    // slow-stream.ts answers for 100 ms.
    setTimeout(() => (entry.afterResponse = look()), 1000);
    next();
  };
}

describe("the request scope (AsyncLocalStorage) that lets an uncaught exception name its request", () => {
  it("is set for supertest (http.createServer(app)), across the body read", async () => {
    const seen: Seen[] = [];
    const { app } = await buildTestApp("hostile-input", {}, { middleware: [recorder(seen)] });
    await request(app)
      .post("/api/slow-stream?ms=100")
      .set("X-Request-Id", "express-1")
      .send({ a: "x".repeat(100_000) })
      .expect(200);
    await eventually(() => seen[0]?.afterResponse !== undefined, 5000, "both timers");
    expect(seen[0]).toEqual({
      reqId: "express-1",
      inTimer: { id: "express-1", route: "slow-stream.ts", hasRequest: true },
      afterResponse: { id: "express-1", route: "slow-stream.ts", hasRequest: false },
    });
  });

  it("is set in the server the real process listens with", async () => {
    const seen: Seen[] = [];
    const built = await buildTestApp("hostile-input", {}, { middleware: [recorder(seen)] });
    const server = createAppServer(built);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ a: "x".repeat(100_000) });
      const { responses } = await exchange(
        port,
        head("POST /api/slow-stream?ms=100 HTTP/1.1", {
          "X-Request-Id": "fast-1",
          "Content-Type": "application/json",
          "Content-Length": body.length,
          Connection: "close",
        }),
        { parts: [body.slice(0, 10), 20, body.slice(10)], responses: 1 },
      );
      expect(responses[0]?.status).toBe(200);
      await eventually(() => seen[0]?.afterResponse !== undefined, 5000, "both timers");
      expect(seen[0]).toEqual({
        reqId: "fast-1",
        inTimer: { id: "fast-1", route: "slow-stream.ts", hasRequest: true },
        afterResponse: { id: "fast-1", route: "slow-stream.ts", hasRequest: false },
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("is undefined outside any request", async () => {
    expect(currentRequestScope()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(currentRequestScope()).toBeUndefined();
  });
});
