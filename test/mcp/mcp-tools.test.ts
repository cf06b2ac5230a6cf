import type http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createAppServer } from "../../src/app/app-server";
import { buildTestApp } from "../helpers/app";

// The Next-style fixture tree (pages, edge and app routes) in-process, listening on loopback.
async function serve(env: Record<string, string>) {
  const built = await buildTestApp("client-tree/routes", env);
  const server: http.Server = createAppServer(built);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await built.close();
    },
  };
}

async function toolNames(base: string): Promise<string[]> {
  const client = new Client({ name: "t", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((tool) => tool.name);
}

describe("MCP tools of a Next-style tree", () => {
  it("offers every operation (pages, edge, app routes) except a file's `export const mcp = false`", async () => {
    const app = await serve({ MCP: "on" });
    try {
      const names = await toolNames(app.base);
      expect(names).toEqual(
        expect.arrayContaining(["listNotes", "createNote", "getApiEdgeHello", "getApiThingsById"]),
      );
      expect(names).not.toContain("hiddenFromAgents");
    } finally {
      await app.close();
    }
  });

  it("offers only the tools MCP_TOOLS names; catch-all params arrive as segments", async () => {
    const app = await serve({ MCP: "on", MCP_TOOLS: "getApiFilesByPath, getApiThingsById" });
    try {
      expect((await toolNames(app.base)).sort()).toEqual(["getApiFilesByPath", "getApiThingsById"]);
      const client = new Client({ name: "t", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${app.base}/mcp`)));
      const result = await client.callTool({
        name: "getApiFilesByPath",
        arguments: { params: { path: ["a b", "c"] } },
      });
      const [content] = result.content as { text: string }[];
      expect(JSON.parse(content.text)).toEqual({ path: ["a b", "c"] });
      const app2 = await client.callTool({
        name: "getApiThingsById",
        arguments: { params: { id: "7" } },
      });
      expect(JSON.parse((app2.content as { text: string }[])[0].text)).toEqual({ id: "7" });
      await client.close();
    } finally {
      await app.close();
    }
  });

  it("runs calls through _middleware (authenticate with the MCP request's token) and rate limits", async () => {
    const app = await serve({ MCP: "on", RATE_LIMIT: "3/1m" });
    try {
      const call = async (token?: string) => {
        const client = new Client({ name: "t", version: "1" });
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        await client.connect(
          new StreamableHTTPClientTransport(new URL(`${app.base}/mcp`), {
            requestInit: { headers },
          }),
        );
        const result = await client.callTool({ name: "adminStats", arguments: {} });
        await client.close();
        return {
          isError: result.isError,
          ...JSON.parse((result.content as { text: string }[])[0].text),
        };
      };
      expect(await call()).toMatchObject({ isError: true, status: 401 });
      expect(await call("test-token")).toEqual({ notes: 0 });
      expect(await call("test-token")).toEqual({ notes: 0 });
      expect(await call("test-token")).toMatchObject({ isError: true, status: 429 });
    } finally {
      await app.close();
    }
  });

  it("lets a call set the headers its route declares, and no other", async () => {
    const app = await serve({ MCP: "on", MCP_TOOLS: "echoHeaders" });
    try {
      const client = new Client({ name: "t", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${app.base}/mcp`)));
      const result = await client.callTool({
        name: "echoHeaders",
        arguments: { headers: { "X-Api-Version": "2", "x-forwarded-for": "203.0.113.9" } },
      });
      await client.close();
      const [content] = result.content as { text: string }[];
      expect(JSON.parse(content.text)).toEqual({ version: "2", forwarded: null });
    } finally {
      await app.close();
    }
  });

  it("answers a bare JSON-RPC POST, as curl sends it (no session, no initialize first)", async () => {
    const app = await serve({ MCP: "on", MCP_TOOLS: "getApiThingsById" });
    try {
      const res = await fetch(`${app.base}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "getApiThingsById", arguments: { params: { id: "9" } } },
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("mcp-session-id")).toBeNull();
      expect(await res.json()).toMatchObject({
        id: 1,
        result: { content: [{ type: "text", text: '{"id":"9"}' }] },
      });
    } finally {
      await app.close();
    }
  });

  it("answers GET /mcp (a session's event stream) 405: stateless, there is no session to stream", async () => {
    const app = await serve({ MCP: "on" });
    try {
      const res = await fetch(`${app.base}/mcp`, { headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(405);
    } finally {
      await app.close();
    }
  });

  it("is not served without MCP=on", async () => {
    const app = await serve({});
    try {
      const res = await fetch(`${app.base}/mcp`, { method: "POST", body: "{}" });
      expect(res.status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
