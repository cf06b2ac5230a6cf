import type http from "node:http";
import type { Route } from "../loader/load-routes";
import { describeRouteTable } from "../openapi";
import { createMcpMiddleware } from "./mcp-middleware";
import { toRouteTools, type RouteTool } from "./tools";

export { takesJsonArguments, toRouteTools } from "./tools";

/**
 * The `/mcp` step of the app: the routes' operations as tools (computed once, on the first MCP
 * request), each call sent through `internal`, a server around the app's own handler.
 *
 * @public loaded with require() by app/create-app.ts, only when MCP=on
 */
export function createMcpEndpoint(
  loadRoutes: () => Promise<readonly Route[]>,
  routesDir: string,
  allow: readonly string[] | undefined,
  internal: () => http.Server,
) {
  let described: Promise<{ tools: RouteTool[]; name: string; version: string }> | undefined;
  const describe = () =>
    (described ??= loadRoutes().then((routes) => {
      const { document, operations } = describeRouteTable(routes, routesDir);
      return {
        tools: toRouteTools(document, operations, allow),
        name: document.info.title,
        version: document.info.version,
      };
    }));
  return createMcpMiddleware(
    async () => (await describe()).tools,
    internal,
    async () => {
      const { name, version } = await describe();
      return { name, version };
    },
  );
}
