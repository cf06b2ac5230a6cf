import path from "node:path";
import { generateClient } from "../../src/client";
import { loadRoutes } from "../../src/loader/load-routes";
import { takesJsonArguments, toRouteTools } from "../../src/mcp";
import { describeRouteTable } from "../../src/openapi";
import { toPostmanCollection, type PostmanItem } from "../../src/openapi/postman";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT } from "../helpers/process";

function* requests(items: readonly PostmanItem[]): Generator<PostmanItem> {
  for (const item of items) {
    if (item.request) yield item;
    if (item.item) yield* requests(item.item);
  }
}

// One operation list feeds all four outputs: each lists the same `METHOD /path` under the same operationId.
describe.each([
  ["the sample", path.join(PROJECT_ROOT, "routes"), path.join(PROJECT_ROOT, "app")],
  ["a Next-style tree", fixture("client-tree/routes"), fixture("client-tree/app")],
])("%s: OpenAPI, Postman, the typed client and MCP", (_name, routesDir, appDir) => {
  it("list the same operations", async () => {
    const routes = await loadRoutes(routesDir, { bodyLimit: "1mb", appDir });
    const { document, operations } = describeRouteTable(routes, routesDir);
    const openapi = Object.entries(document.paths)
      .flatMap(([p, item]) => Object.values(item).map((op) => `${op.operationId} ${p}`))
      .sort();
    expect(openapi.length).toBeGreaterThan(3);

    const byPathAndMethod = new Map(
      operations.map((op) => [`${op.method} ${op.path}`, op.operationId]),
    );
    const collection = await toPostmanCollection(document, "http://localhost:3000");
    const postman = [...requests(collection.item)]
      .map((item) => {
        const request = item.request as NonNullable<PostmanItem["request"]>;
        const p = `/${(request.url.path ?? []).map((s) => (s.startsWith(":") ? `{${s.slice(1)}}` : s)).join("/")}`;
        return `${byPathAndMethod.get(`${request.method} ${p}`)} ${p}`;
      })
      .sort();

    const source = generateClient(document, operations)["index.ts"];
    const client = [...source.matchAll(/^ {2}"(\w+) [A-Z]+ (\/[^"]*)",$/gm)]
      .map(([, id, p]) => `${id} ${p}`)
      .sort();

    // Files that opt out (`export const mcp = false`) and uploads (a tool's arguments are JSON) are
    // the differences, and on purpose.
    const optedOut = operations.filter(
      (op) => op.route.module.docs?.mcp === false || !takesJsonArguments(op),
    );
    const mcp = toRouteTools(document, operations, undefined)
      .map((tool) => `${tool.name} ${tool.path}`)
      .concat(optedOut.map((op) => `${op.operationId} ${op.path}`))
      .sort();

    expect(postman).toEqual(openapi);
    expect(client).toEqual(openapi);
    expect(mcp).toEqual(openapi);
  });
});
