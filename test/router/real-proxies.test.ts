import { createHmac } from "node:crypto";
import { startHostileServer, type HostileServer } from "../hostile/support";

// Two real projects' middleware.ts, copied unchanged with their API routes, run by the real
// server. Fixtures (with their licences and sources): test/fixtures/real-lucia,
// test/fixtures/real-saas-starter. Expected values: what `next start` (Next 16.5) answers for the
// same files (../shared/NEXT-REQUEST-LAYER.md: a Response is sent as is, `next()` cookies reach
// the client, a proxy redirect to the same origin has a relative Location).

describe("lucia's CSRF middleware (Origin must match Host on every non-GET)", () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer("real-lucia/routes", { LOG_LEVEL: "info" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  const post = (headers: Record<string, string>) =>
    fetch(server.url("/api/notes"), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ text: "hi" }),
    });

  it("lets GET through", async () => {
    const res = await fetch(server.url("/api/notes"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ notes: [] });
  });

  it("answers 403 with an empty body to a POST without Origin, or from another origin", async () => {
    const cases: Record<string, string>[] = [
      {},
      { origin: "https://evil.example" },
      { origin: "not a url" },
    ];
    for (const headers of cases) {
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect(await res.text()).toBe("");
    }
  });

  it("lets a same-origin POST reach the route", async () => {
    const res = await post({ origin: server.url("") });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ created: "hi" });
  });
});

describe("saas-starter's session middleware (jose, refreshed on GET outside /api)", () => {
  const AUTH_SECRET = "test-secret-for-the-saas-starter-fixture-0123456789";
  let server: HostileServer;
  /** An HS256 JWT as the project's signToken() makes it (jose's SignJWT), built by hand. */
  const token = async (expires: Date) => {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const body = `${part({ alg: "HS256" })}.${part({ user: { id: 7 }, expires: expires.toISOString(), iat: now, exp: now + 86_400 })}`;
    return `${body}.${createHmac("sha256", AUTH_SECRET).update(body).digest("base64url")}`;
  };
  const get = (path: string, cookie?: string) =>
    fetch(server.url(path), { redirect: "manual", headers: cookie ? { cookie } : {} });

  beforeAll(async () => {
    server = await startHostileServer("real-saas-starter/routes", {
      LOG_LEVEL: "info",
      AUTH_SECRET,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("redirects /dashboard without a session to /sign-in (307, relative)", async () => {
    const res = await get("/dashboard");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/sign-in");
  });

  it("refreshes a valid session cookie on a GET outside /api, even on a 404", async () => {
    const res = await get("/dashboard", `session=${await token(new Date(Date.now() + 60_000))}`);
    expect(res.status).toBe(404);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^session=eyJ[^;]+; Path=\/; Expires=[^;]+; Secure; HttpOnly; SameSite=lax$/,
    );
  });

  it("deletes a bad session cookie and redirects a protected path", async () => {
    const res = await get("/dashboard/settings", "session=not-a-jwt");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/sign-in");
  });

  it("does not run on /api (its matcher excludes it): the route reads the session itself", async () => {
    const res = await get("/api/user", `session=${await token(new Date(Date.now() + 60_000))}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.json()).toEqual({ id: 7, email: "user7@example.com" });
    expect(await (await get("/api/user")).json()).toBeNull();
  });
});
