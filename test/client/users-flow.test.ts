import { createClient } from "../../client";
import { startSampleServer, TOKEN, type SampleServer } from "../sample/support";

// The committed client (npm run client) against the real sample server over loopback.
let server: SampleServer;
beforeAll(async () => {
  server = await startSampleServer({});
}, 120_000);
afterAll(() => server?.stop());

describe("the sample's users flow through the generated client", () => {
  it("creates, reads, lists, changes and deletes a user; errors arrive typed by status", async () => {
    const api = createClient({ baseUrl: server.base });
    const admin = createClient({ baseUrl: server.base, token: TOKEN });

    const created = await api.createUser({ body: { name: "Ada", email: "ada@example.com" } });
    if (created.status !== 201) throw new Error(`expected 201, got ${created.status}`);
    const { id } = created.body;
    expect(created.body).toMatchObject({ name: "Ada", email: "ada@example.com" });
    expect(typeof created.body.createdAt).toBe("string");

    const taken = await api.createUser({ body: { name: "Ada", email: "ada@example.com" } });
    expect(taken.status).toBe(409);
    if (taken.status === 409) expect(taken.body.message).toEqual(expect.any(String));

    const bad = await api.createUser({ body: { name: "", email: "not-an-email" } });
    expect(bad.status).toBe(400);
    if (bad.status === 400) expect(bad.body.issues?.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["body.name", "body.email"]),
    );

    const got = await api.getUser({ params: { id: String(id) } });
    expect(got).toMatchObject({ status: 200, body: { id, name: "Ada" } });

    const page = await api.listUsers({ query: { limit: 1 } });
    expect(page.status).toBe(200);
    if (page.status === 200) expect(page.body.users).toHaveLength(1);

    const refused = await api.updateUser({ params: { id: String(id) }, body: { name: "Ada King" } });
    expect(refused.status).toBe(401);

    const changed = await admin.updateUser({ params: { id: String(id) }, body: { name: "Ada King" } });
    expect(changed).toMatchObject({ status: 200, body: { name: "Ada King" } });

    const deleted = await admin.deleteUser({ params: { id: String(id) } });
    expect(deleted).toMatchObject({ status: 204, body: undefined });
    const missing = await api.getUser({ params: { id: String(id) } });
    expect(missing).toMatchObject({ status: 404, body: { message: "User not found" } });
  });

  it("passes an AbortSignal and a custom fetch through", async () => {
    const seen: string[] = [];
    const api = createClient({
      baseUrl: server.base,
      headers: { "x-request-id": "client-test" },
      fetch: (url, init) => {
        seen.push(`${init.method} ${url} ${new Headers(init.headers).get("x-request-id")}`);
        return fetch(url, init);
      },
    });
    const controller = new AbortController();
    controller.abort();
    await expect(api.listUsers({}, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(seen).toEqual([`GET ${server.base}/api/users client-test`]);
  });
});
