import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startPostgres, type LocalPostgres } from "../helpers/postgres";
import { startSampleServer, TOKEN, type SampleServer } from "./support";

// One table of cases for the users resource, run against the real server process on each engine:
// the embedded one (SQLite in a throwaway DATA_DIR) and a real PostgreSQL (DATABASE_URL).
interface Engine {
  env(): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

function embedded(): Engine {
  let dir: string | undefined;
  return {
    async env() {
      dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-users-"));
      return { DATA_DIR: dir };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgres(): Engine {
  let server: LocalPostgres | undefined;
  return {
    async env() {
      server = await startPostgres();
      return { DATABASE_URL: await server.createDatabase("users_crud") };
    },
    async cleanup() {
      await server?.destroy();
    },
  };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each([
  ["the embedded engine (SQLite in DATA_DIR)", embedded],
  ["PostgreSQL (DATABASE_URL)", postgres],
])("the users resource on %s", (_name, makeEngine) => {
  const engine = makeEngine();
  let server: SampleServer;
  beforeAll(async () => {
    server = await startSampleServer(await engine.env());
  }, 120_000);
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    await engine.cleanup();
  }, 30_000);

  const total = async () => (await server.call("GET", "/api/users?limit=1")).body.total as number;
  const create = (name: string, email: string) =>
    server.call("POST", "/api/users", { body: { name, email } });

  it("starts without a word on stderr (node:sqlite's experimental warning on Node 22 is muted)", () => {
    expect(server.spawned.stderr()).toBe("");
  });

  it("POST creates a user: 201, its Location, and GET there answers the same user", async () => {
    const created = await create("Ada Lovelace", "ada@example.com");
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "Ada Lovelace",
      email: "ada@example.com",
      createdAt: expect.stringMatching(ISO),
      updatedAt: created.body.createdAt,
    });
    expect(created.headers.get("location")).toBe(`/api/users/${created.body.id}`);
    const read = await server.call("GET", created.headers.get("location") as string);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it("POST trims the name, and refuses bad input with a 400 listing each issue, writing nothing", async () => {
    const before = await total();
    for (const [body, paths] of [
      [{ email: "not-an-email" }, ["body.name", "body.email"]],
      [{ name: "   ", email: "x@example.com" }, ["body.name"]],
      [{ name: "x".repeat(101), email: "x@example.com" }, ["body.name"]],
      [{ name: "X", email: `${"x".repeat(250)}@example.com` }, ["body.email"]],
    ] as const) {
      const res = await server.call("POST", "/api/users", { body });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe("Invalid request");
      expect(res.body.issues.map((issue: { path: string[] }) => issue.path.join("."))).toEqual(
        paths,
      );
    }
    expect((await server.call("POST", "/api/users", { raw: '{"name":' })).body).toEqual({
      message: "Invalid JSON",
    });
    expect(await total()).toBe(before);
    expect((await create("  Grace Hopper  ", "grace@example.com")).body.name).toBe("Grace Hopper");
  });

  it("refuses control characters (NUL, BEL, LF, DEL) with a 400 naming the field: JSON, urlencoded and PATCH alike", async () => {
    const before = await total();
    const fields = (res: { body: { issues?: { path: string[] }[] } }) =>
      res.body.issues?.map((issue) => issue.path.join("."));
    for (const name of ["a\u0000b", "a\u0007b", "line\nbreak", "del\u007f"]) {
      const res = await create(name, "nul@example.com");
      expect([name, res.status, fields(res)]).toEqual([name, 400, ["body.name"]]);
    }
    const email = await create("Nul", "n\u0000ul@example.com");
    expect([email.status, fields(email)]).toEqual([400, ["body.email"]]);
    const form = await fetch(`${server.base}/api/users`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=a%00b&email=nul%40example.com",
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { issues: { path: string[] }[] }).issues[0].path).toEqual([
      "body",
      "name",
    ]);
    const { body: user } = await create("Nul", "nul@example.com");
    const patched = await server.call("PATCH", `/api/users/${user.id}`, {
      body: { name: "a\u0000b" },
      token: TOKEN,
    });
    expect([patched.status, fields(patched)]).toEqual([400, ["body.name"]]);
    expect((await server.call("GET", `/api/users/${user.id}`)).body).toEqual(user);
    expect(await total()).toBe(before + 1);
  });

  it("POST with an email already taken (in any case) is a 409 with a message, and adds no row", async () => {
    expect((await create("Alan", "alan@example.com")).status).toBe(201);
    const before = await total();
    const again = await create("Alan Again", "ALAN@example.com");
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ message: "A user with this email already exists" });
    expect(await total()).toBe(before);
  });

  it("20 concurrent sign-ups with one email: exactly one 201, nineteen 409s, one row", async () => {
    const before = await total();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => create(`Racer ${i}`, "race@example.com")),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    expect(await total()).toBe(before + 1);
  });

  it("GET /api/users pages through every user in id order, with the total and a next link", async () => {
    for (let i = 0; i < 5; i++)
      expect((await create(`Page ${i}`, `page${i}@example.com`)).status).toBe(201);
    const all = await server.call("GET", "/api/users?limit=100");
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    expect(all.body.users).toHaveLength(all.body.total);
    const seen: number[] = [];
    let next: string | null = "/api/users?limit=2";
    while (next) {
      const page: {
        status: number;
        body: { users: { id: number }[]; total: number; next: string | null };
      } = await server.call("GET", next);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(all.body.total);
      expect(page.body.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.users.map((user) => user.id));
      next = page.body.next;
      if (next) expect(next).toMatch(/^\/api\/users\?limit=2&cursor=\d+$/);
    }
    expect(seen).toEqual(all.body.users.map((user: { id: number }) => user.id));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect((await server.call("GET", "/api/users")).body.users.length).toBe(
      Math.min(20, all.body.total),
    );
  });

  it.each([["limit=0"], ["limit=101"], ["limit=x"], ["cursor=abc"], ["cursor=-1"]])(
    "GET /api/users?%s is a 400",
    async (query) => {
      const res = await server.call("GET", `/api/users?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe("Invalid request");
    },
  );

  it("GET /api/users/[id]: 404 for an id nobody has, 400 for one that is not an id", async () => {
    expect(await server.call("GET", "/api/users/999999")).toMatchObject({
      status: 404,
      body: { message: "User not found" },
    });
    for (const id of ["abc", "0", "1.5", "-1", "1e3", "9999999999999999"]) {
      const res = await server.call("GET", `/api/users/${id}`);
      expect([id, res.status, res.body.issues?.[0]?.path]).toEqual([id, 400, ["query", "id"]]);
    }
  });

  it("PATCH needs a token, changes only the given fields, and moves updatedAt", async () => {
    const { body: user } = await create("Katherine", "katherine@example.com");
    const refused = await server.call("PATCH", `/api/users/${user.id}`, { body: { name: "K" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const changed = await server.call("PATCH", `/api/users/${user.id}`, {
      body: { name: "Katherine Johnson" },
      token: TOKEN,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id: user.id,
      name: "Katherine Johnson",
      email: "katherine@example.com",
      createdAt: user.createdAt,
    });
    expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(user.updatedAt));
    expect(changed.body.updatedAt).not.toBe(user.updatedAt);
    expect((await server.call("GET", `/api/users/${user.id}`)).body).toEqual(changed.body);
    const email = await server.call("PATCH", `/api/users/${user.id}`, {
      body: { email: "kj@example.com" },
      token: TOKEN,
    });
    expect(email.body).toMatchObject({ name: "Katherine Johnson", email: "kj@example.com" });
  });

  it("a PATCH that fails (taken email, empty or bad body, unknown or bad id) changes nothing", async () => {
    const { body: taken } = await create("Taken", "taken@example.com");
    const { body: user } = await create("Mary", "mary@example.com");
    const patch = (id: string | number, body: unknown) =>
      server.call("PATCH", `/api/users/${id}`, { body, token: TOKEN });
    expect(
      await patch(user.id, { name: "Mary J", email: taken.email.toUpperCase() }),
    ).toMatchObject({ status: 409, body: { message: "A user with this email already exists" } });
    expect(await patch(user.id, {})).toMatchObject({
      status: 400,
      body: { issues: [{ path: ["body"], message: "give a name, an email or both" }] },
    });
    expect((await patch(user.id, { name: "", email: "nope" })).status).toBe(400);
    expect(await patch(999999, { name: "Nobody" })).toMatchObject({
      status: 404,
      body: { message: "User not found" },
    });
    expect((await patch("abc", { name: "Nobody" })).status).toBe(400);
    expect((await server.call("GET", `/api/users/${user.id}`)).body).toEqual(user);
  });

  it("DELETE needs a token, answers 204 with no body, and the user is gone", async () => {
    const { body: user } = await create("Dorothy", "dorothy@example.com");
    expect((await server.call("DELETE", `/api/users/${user.id}`)).status).toBe(401);
    const before = await total();
    const deleted = await server.call("DELETE", `/api/users/${user.id}`, { token: TOKEN });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await server.call("GET", `/api/users/${user.id}`)).status).toBe(404);
    expect((await server.call("DELETE", `/api/users/${user.id}`, { token: TOKEN })).status).toBe(
      404,
    );
    expect(await total()).toBe(before - 1);
    // The email is free again.
    expect((await create("Dorothy Vaughan", "dorothy@example.com")).status).toBe(201);
  });

  it("answers other methods 405 with Allow", async () => {
    const collection = await server.call("PUT", "/api/users", { body: {} });
    expect(collection.status).toBe(405);
    expect(collection.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    const item = await server.call("POST", "/api/users/1", { body: {} });
    expect(item.status).toBe(405);
    expect(item.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE, OPTIONS");
  });
});
