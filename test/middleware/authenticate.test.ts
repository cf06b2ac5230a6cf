import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Express } from "express";
import request from "supertest";
import {
  authenticate,
  createAuthenticate,
  isAuthenticateMiddleware,
} from "../../src/middleware/authenticate";
import type { NextApiRequest, NextApiResponse } from "../../src/types";
import { buildTestApp, type TestApp } from "../helpers/app";
import { LEVEL, linesFor, newRequestId } from "../helpers/log-lines";

describe("authenticate", () => {
  it("lets a request with a configured token through and sets req.auth", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "first,second" });
    const res = await request(app).get("/api/inline").set("Authorization", "Bearer second");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ file: "inline.ts", auth: { scheme: "bearer", tokenIndex: 1 } });
  });

  it("accepts the scheme name in any case", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    expect((await request(app).get("/api/inline").set("Authorization", "bearer tok")).status).toBe(
      200,
    );
  });

  it.each([
    ["no Authorization header", undefined],
    ["another scheme", "Basic dXNlcjpwYXNz"],
  ])("answers 401 with a Bearer challenge for %s", async (_case, header) => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    const req = request(app).get("/api/inline");
    const res = await (header ? req.set("Authorization", header) : req);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(res.body).toEqual({ message: "Unauthorized" });
  });

  it("answers 401 invalid_token for a wrong token and never runs the callback", async () => {
    const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
    const res = await request(app)
      .get("/api/chained")
      .set("Authorization", "Bearer tok-but-longer");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
    expect(res.body).toEqual({ message: "Unauthorized" });
    const ok = await request(app).get("/api/chained").set("Authorization", "Bearer tok");
    expect(ok.body).toEqual({ file: "chained.ts", reached: 1 });
  });

  it.each(["Bearer", "Bearer ", "Bearer two tokens", "Bearer t@ken"])(
    "answers 400 invalid_request for the malformed header %j (RFC 6750)",
    async (header) => {
      const { app } = await buildTestApp("auth", { API_TOKENS: "tok" });
      const res = await request(app).get("/api/inline").set("Authorization", header);
      expect(res.status).toBe(400);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_request"');
      expect(res.body).toEqual({ message: "Malformed Authorization header" });
    },
  );

  it("refuses every request when no tokens are configured, and warns at start-up", async () => {
    const { app, logs } = await buildTestApp("auth", { API_TOKENS: "" });
    expect((await request(app).get("/api/inline").set("Authorization", "Bearer ")).status).toBe(
      400,
    );
    expect(
      (await request(app).get("/api/inline").set("Authorization", "Bearer anything")).status,
    ).toBe(401);
    expect(
      logs.lines.some((l) => l.level === 40 && /no API tokens configured/.test(String(l.msg))),
    ).toBe(true);
  });

  it("never writes a token or the Authorization header to the logs", async () => {
    const { app, logs } = await buildTestApp("auth", { API_TOKENS: "s3cret-token-value" });
    await request(app).get("/api/inline").set("Authorization", "Bearer s3cret-token-value");
    await request(app).get("/api/inline").set("Authorization", "Bearer wrong-token-value");
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain("s3cret-token-value");
    expect(logs.text()).not.toContain("wrong-token-value");
  });

  it("compares against every configured token, not just the first", () => {
    const authenticate = createAuthenticate({ tokens: ["a", "b", "c"] });
    const seen: number[] = [];
    for (const token of ["a", "b", "c"]) {
      const req = { headers: { authorization: `Bearer ${token}` } } as unknown as NextApiRequest;
      authenticate(req, {} as NextApiResponse, () => seen.push(req.auth?.tokenIndex ?? -1));
    }
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe("authenticate in a middleware chain", () => {
  let app: Express;
  let logs: TestApp["logs"];
  beforeAll(async () => {
    // One app for many wrong tokens from one address: the brake (test/middleware/auth-brake.test.ts) would stop them.
    ({ app, logs } = await buildTestApp("mw-auth", {
      API_TOKENS: "env-one,env-two",
      AUTH_FAILURE_LIMIT: "off",
    }));
  });

  it.each(["/api/admin/stats", "/api/admin/nested/deep", "/api/wrapped"])(
    "protects %s and hands req.auth to the handler",
    async (url) => {
      expect((await request(app).get(url)).status).toBe(401);
      const res = await request(app).get(url).set("Authorization", "Bearer env-two");
      expect(res.status).toBe(200);
      expect(res.body.auth).toStrictEqual({ scheme: "bearer", tokenIndex: 1 });
    },
  );

  it("answers the RFC 6750 challenges from a folder's _middleware", async () => {
    const missing = await request(app).get("/api/admin/stats");
    expect(missing.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(missing.body).toStrictEqual({ message: "Unauthorized" });
    const wrong = await request(app).get("/api/admin/stats").set("Authorization", "Bearer nope");
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
    const malformed = await request(app).get("/api/admin/stats").set("Authorization", "Bearer a b");
    expect(malformed.status).toBe(400);
    expect(malformed.headers["www-authenticate"]).toBe(
      'Bearer realm="api", error="invalid_request"',
    );
  });

  it("leaves a route that opts out of inherited middleware public", async () => {
    const res = await request(app).get("/api/admin/health");
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ file: "admin/health.ts", auth: null });
  });

  it("does not leak into a sibling folder whose name starts the same", async () => {
    expect((await request(app).get("/api/admin-public/open")).status).toBe(200);
  });

  it("protects only the method whose defineRoute lists it", async () => {
    expect((await request(app).get("/api/endpoint")).body).toStrictEqual({
      file: "endpoint.ts GET",
      auth: null,
    });
    expect((await request(app).post("/api/endpoint")).status).toBe(401);
    const res = await request(app).post("/api/endpoint").set("Authorization", "Bearer env-one");
    expect(res.body).toStrictEqual({
      file: "endpoint.ts POST",
      auth: { scheme: "bearer", tokenIndex: 0 },
    });
  });

  it("createAuthenticate({ tokens }) accepts its own tokens and not API_TOKENS", async () => {
    const res = await request(app)
      .get("/api/file-tokens")
      .set("Authorization", "Bearer file-token-b");
    expect(res.status).toBe(200);
    expect(res.body.auth).toStrictEqual({ scheme: "bearer", tokenIndex: 1 });
    const env = await request(app).get("/api/file-tokens").set("Authorization", "Bearer env-one");
    expect(env.status).toBe(401);
    expect(env.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
  });

  it("createAuthenticate({ tokens: [] }) never lets anyone through", async () => {
    for (const token of ["env-one", "anything", "file-token-a"]) {
      expect(
        (await request(app).get("/api/nothing-configured").set("Authorization", `Bearer ${token}`))
          .status,
      ).toBe(401);
    }
  });

  describe("createAuthenticate({ verify })", () => {
    it("merges what verify returns into req.auth", async () => {
      const res = await request(app).get("/api/verify?x=1").set("Authorization", "Bearer user-ada");
      expect(res.status).toBe(200);
      expect(res.body.auth).toStrictEqual({
        scheme: "bearer",
        user: "ada",
        scopes: ["read"],
        path: "/api/verify?x=1",
      });
    });

    it("lets the request through with req.auth = { scheme } when verify returns true", async () => {
      const res = await request(app).get("/api/verify").set("Authorization", "Bearer just-true");
      expect(res.status).toBe(200);
      expect(res.body.auth).toStrictEqual({ scheme: "bearer" });
    });

    it.each(["says-false", "says-null", "says-undefined"])(
      "refuses with 401 invalid_token when verify answers %s",
      async (token) => {
        const res = await request(app).get("/api/verify").set("Authorization", `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
        expect(res.body).toStrictEqual({ message: "Unauthorized" });
      },
    );

    it.each([
      ["rejects", "/api/verify"],
      ["throws synchronously", "/api/verify-sync-throw"],
    ])(
      "refuses with 401 when verify %s, and logs a warning without the token",
      async (_how, url) => {
        const reqId = newRequestId("verify-throws");
        const res = await request(app)
          .get(url)
          .set("Authorization", "Bearer throws")
          .set("X-Request-Id", reqId);
        expect(res.status).toBe(401);
        expect(res.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
        const lines = linesFor(logs, reqId);
        expect(
          lines.some((line) => line.level === LEVEL.warn && /verify threw/.test(String(line.msg))),
        ).toBe(true);
        expect(JSON.stringify(lines)).not.toMatch(/Bearer throws/);
      },
    );

    it("still answers 401 without a header and 400 for a malformed one, before asking verify", async () => {
      expect((await request(app).get("/api/verify")).headers["www-authenticate"]).toBe(
        'Bearer realm="api"',
      );
      expect(
        (await request(app).get("/api/verify").set("Authorization", "Bearer a b")).status,
      ).toBe(400);
    });

    it("is asked only when no listed token matched", async () => {
      const listed = await request(app)
        .get("/api/tokens-and-verify")
        .set("Authorization", "Bearer listed");
      expect(listed.body.auth).toStrictEqual({ scheme: "bearer", tokenIndex: 0 });
      const custom = await request(app)
        .get("/api/tokens-and-verify")
        .set("Authorization", "Bearer custom");
      expect(custom.body.auth).toStrictEqual({ scheme: "bearer", via: "verify" });
      expect(
        (await request(app).get("/api/tokens-and-verify").set("Authorization", "Bearer other"))
          .status,
      ).toBe(401);
    });
  });

  it("never logs a presented token, good or bad", async () => {
    await request(app).get("/api/admin/stats").set("Authorization", "Bearer env-one");
    await request(app).get("/api/admin/stats").set("Authorization", "Bearer wrong-secret-xyz");
    await request(app).get("/api/verify").set("Authorization", "Bearer user-ada");
    expect(logs.text()).not.toContain("env-one");
    expect(logs.text()).not.toContain("wrong-secret-xyz");
    expect(logs.text()).not.toContain("user-ada");
  });
});

describe("createAuthenticate, called directly", () => {
  function call(middleware: ReturnType<typeof createAuthenticate>, authorization: string) {
    const req = { headers: { authorization } } as unknown as NextApiRequest;
    const res = {
      statusCode: 200,
      setHeader: jest.fn(),
      end: jest.fn(),
    } as unknown as NextApiResponse;
    return new Promise<{ passed: boolean; status: number; auth: unknown }>((resolve) => {
      (res.end as jest.Mock).mockImplementation(() =>
        resolve({ passed: false, status: res.statusCode, auth: req.auth }),
      );
      void middleware(req, res, () =>
        resolve({ passed: true, status: res.statusCode, auth: req.auth }),
      );
    });
  }

  it("is marked so the route table can tell a route is protected", () => {
    expect(isAuthenticateMiddleware(createAuthenticate({ tokens: ["x"] }))).toBe(true);
    expect(isAuthenticateMiddleware(createAuthenticate({ verify: () => true }))).toBe(true);
    expect(isAuthenticateMiddleware(authenticate)).toBe(true);
    expect(
      isAuthenticateMiddleware((_req: unknown, _res: unknown, next: () => void) => next()),
    ).toBe(false);
  });

  it("passes verify the token and the request", async () => {
    const verify = jest.fn().mockReturnValue({ user: "u" });
    expect(await call(createAuthenticate({ verify }), "Bearer abc.def")).toStrictEqual({
      passed: true,
      status: 200,
      auth: { scheme: "bearer", user: "u" },
    });
    expect(verify).toHaveBeenCalledWith(
      "abc.def",
      expect.objectContaining({ headers: { authorization: "Bearer abc.def" } }),
    );
  });

  it("refuses everything with neither tokens nor verify", async () => {
    expect(await call(createAuthenticate({}), "Bearer anything")).toMatchObject({
      passed: false,
      status: 401,
    });
  });

  it("refuses without a refusal from verify ever being treated as a pass", async () => {
    expect(await call(createAuthenticate({ verify: async () => false }), "Bearer x")).toMatchObject(
      { passed: false, status: 401 },
    );
    expect(
      await call(
        createAuthenticate({ verify: () => Promise.reject(new Error("down")) }),
        "Bearer x",
      ),
    ).toMatchObject({
      passed: false,
      status: 401,
    });
  });
});

describe("API_TOKENS_FILE", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "nextpress-tokens-"));
    await fs.writeFile(
      path.join(dir, "tokens"),
      "# rotated monthly\nfrom-file-1\n\n  from-file-2  \r\n# old: revoked-one\n",
    );
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("supplies the tokens authenticate accepts, after those of API_TOKENS", async () => {
    const { app } = await buildTestApp("mw-auth", {
      API_TOKENS: "env-one",
      API_TOKENS_FILE: path.join(dir, "tokens"),
    });
    const res = await request(app)
      .get("/api/admin/stats")
      .set("Authorization", "Bearer from-file-2");
    expect(res.status).toBe(200);
    expect(res.body.auth).toStrictEqual({ scheme: "bearer", tokenIndex: 2 });
    expect(
      (await request(app).get("/api/admin/stats").set("Authorization", "Bearer env-one")).status,
    ).toBe(200);
  });

  it("never accepts a commented-out token", async () => {
    const { app } = await buildTestApp("mw-auth", {
      API_TOKENS: "",
      API_TOKENS_FILE: path.join(dir, "tokens"),
    });
    expect(
      (await request(app).get("/api/admin/stats").set("Authorization", "Bearer revoked-one"))
        .status,
    ).toBe(401);
  });

  it("stops start-up naming the variable when the file is missing", async () => {
    await expect(
      buildTestApp("mw-auth", { API_TOKENS_FILE: path.join(dir, "missing") }),
    ).rejects.toThrow(/API_TOKENS_FILE=.*missing.*no such file/);
  });
});
