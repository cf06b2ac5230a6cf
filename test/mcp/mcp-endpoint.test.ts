import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startSampleServer, TOKEN, type SampleServer } from "../sample/support";

// The sample served with MCP=on, driven by the SDK's own client over loopback.
let server: SampleServer;
beforeAll(async () => {
  server = await startSampleServer({ MCP: "on" });
}, 120_000);
afterAll(() => server?.stop());

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: "nextpress-test", version: "1.0.0" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.base}/mcp`), { requestInit: { headers } }),
  );
  return client;
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const [first] = result.content as { type: string; text: string }[];
  return first.text;
}

describe("/mcp on the sample", () => {
  it("lists the users operations as tools, with input schemas and annotations", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining(["listUsers", "createUser", "getUser", "updateUser", "deleteUser"]),
    );
    const create = byName.get("createUser");
    expect(create?.description).toContain("Create a user");
    expect(create?.inputSchema).toMatchObject({
      type: "object",
      properties: { body: { type: "object", properties: { name: {}, email: {} } } },
      required: ["body"],
    });
    expect(byName.get("getUser")?.inputSchema).toMatchObject({
      properties: { params: { properties: { id: { type: "string" } }, required: ["id"] } },
    });
    expect(byName.get("getUser")?.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
    expect(byName.get("deleteUser")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(byName.get("createUser")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
    await client.close();
  });

  it("createUser creates a user that GET /api/users/{id} returns", async () => {
    const client = await connect();
    const result = await client.callTool({
      name: "createUser",
      arguments: { body: { name: "Grace", email: "grace@example.com" } },
    });
    expect(result.isError).toBeFalsy();
    const user = JSON.parse(textOf(result)) as { id: number };
    const read = await server.call("GET", `/api/users/${user.id}`);
    expect(read).toMatchObject({ status: 200, body: { id: user.id, name: "Grace" } });
    await client.close();
  });

  it("refuses a protected tool without a token, and runs it with the MCP request's token", async () => {
    const created = await server.call("POST", "/api/users", {
      body: { name: "Linus", email: "linus@example.com" },
    });
    const args = { params: { id: String(created.body.id) } };
    const anonymous = await connect();
    const refused = await anonymous.callTool({ name: "deleteUser", arguments: args });
    expect(refused.isError).toBe(true);
    expect(JSON.parse(textOf(refused))).toMatchObject({ status: 401, message: "Unauthorized" });
    await anonymous.close();

    const admin = await connect(TOKEN);
    const done = await admin.callTool({ name: "deleteUser", arguments: args });
    expect(done.isError).toBeFalsy();
    expect((await server.call("GET", `/api/users/${created.body.id}`)).status).toBe(404);
    await admin.close();
  });

  it("answers bad input with the zod issues, as a tool error", async () => {
    const client = await connect();
    const result = await client.callTool({
      name: "createUser",
      arguments: { body: { name: "", email: "nope" } },
    });
    expect(result.isError).toBe(true);
    const error = JSON.parse(textOf(result)) as { status: number; issues: { path: string[] }[] };
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["body.name", "body.email"]),
    );
    await client.close();
  });
});
