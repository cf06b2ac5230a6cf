import type http from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { sendInternalRequest } from "./internal-request";
import type { RouteTool } from "./tools";

/** Where the MCP endpoint is served. */
const MCP_PATH = "/mcp";

// The headers of the MCP request that the route's own request carries: the Bearer token, and
// what a proxy said about the client (so TRUST_PROXY, rate limits and logs see the same client).
const FORWARDED = [
  "authorization",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-real-ip",
  "x-request-id",
];

interface ToolArguments {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  body?: unknown;
}

function toUrl(tool: RouteTool, args: ToolArguments): string {
  const params = args.params ?? {};
  const path = tool.path.replace(/\/\{([^}]+)\}/g, (_all, name: string) => {
    const value = params[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return "";
    const parts = Array.isArray(value) ? value : [value];
    return `/${parts.map((part) => encodeURIComponent(String(part))).join("/")}`;
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(args.query ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

function toolResult(status: number, body: string): CallToolResult {
  const text = body === "" ? JSON.stringify({ status }) : body;
  if (status < 400) return { content: [{ type: "text", text }] };
  let detail: unknown = body;
  try {
    detail = JSON.parse(body);
  } catch {
    // Not JSON: the text as it came.
  }
  const error = typeof detail === "object" && detail !== null ? detail : { message: detail };
  return { isError: true, content: [{ type: "text", text: JSON.stringify({ status, ...error }) }] };
}

/** Runs one tool call as an HTTP request through the app's own handler. */
async function callTool(
  tool: RouteTool,
  args: ToolArguments,
  origin: http.IncomingMessage,
  internal: http.Server,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const headers: Record<string, string> = {};
  // Only the headers the route's schema declares: an agent sets no X-Forwarded-For, Host or framing.
  for (const [name, value] of Object.entries(args.headers ?? {}))
    if (value !== undefined && tool.headers.has(name.toLowerCase()))
      headers[name.toLowerCase()] = String(value);
  for (const name of FORWARDED) {
    const value = origin.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  const body = args.body === undefined ? undefined : JSON.stringify(args.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const answer = await sendInternalRequest(
    internal,
    {
      method: tool.method,
      path: toUrl(tool, args),
      headers,
      body,
      remoteAddress: origin.socket.remoteAddress,
    },
    signal,
  );
  return toolResult(answer.status, answer.body);
}

function createMcpServer(
  tools: readonly RouteTool[],
  origin: http.IncomingMessage,
  internal: http.Server,
  info: { name: string; version: string },
): Server {
  const server = new Server(info, { capabilities: { tools: {} } });
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map(({ name, description, inputSchema, annotations }) => ({
      name,
      description,
      inputSchema,
      annotations,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      return {
        isError: true,
        content: [{ type: "text", text: `No tool named "${request.params.name}"` }],
      };
    }
    return callTool(tool, request.params.arguments ?? {}, origin, internal, extra.signal);
  });
  return server;
}

/**
 * `/mcp`: the Model Context Protocol over stateless Streamable HTTP. Every request gets a fresh
 * MCP server and transport (no session, nothing shared, so any replica answers any request),
 * and every tool call is an HTTP request through `internal`, the app's own handler: its
 * `_middleware`, `authenticate` with the MCP request's Bearer token, rate limits and validation.
 */
export function createMcpMiddleware(
  tools: () => Promise<readonly RouteTool[]>,
  internal: () => http.Server,
  info: () => Promise<{ name: string; version: string }>,
): (req: http.IncomingMessage, res: http.ServerResponse, next: (error?: unknown) => void) => void {
  return function mcp(req, res, next) {
    const path = (req.url ?? "").split("?")[0];
    if (path !== MCP_PATH) return next();
    // Stateless: no session, so no GET stream of server messages and no DELETE of a session.
    if (req.method !== "POST") {
      res.statusCode = 405;
      res.setHeader("Allow", "POST");
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      return void res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          error: {
            code: -32000,
            message: "Method not allowed: this MCP endpoint is stateless, POST only",
          },
          id: null,
        }),
      );
    }
    void (async () => {
      const server = createMcpServer(await tools(), req, internal(), await info());
      // No session: the transport answers each POST on its own (JSON, not an SSE stream).
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.once("close", () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res);
    })().catch(next);
  };
}
