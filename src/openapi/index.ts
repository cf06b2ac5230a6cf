import type { Route } from "../loader/load-routes";
import {
  createOpenApiDocument,
  describeRoutes,
  type DescribedOperation,
  type OpenApiDocument,
} from "./document";
import { readApiInfo } from "./project-info";

export { createDocsMiddleware, createLazyDocsMiddleware } from "./docs-middleware";
export type { DescribedOperation, OpenApiDocument } from "./document";
export type { JsonSchema } from "./json-schema";

/**
 * The OpenAPI document of a loaded route table, `info` from the package.json nearest to
 * `routesDir`; its server is `basePath` (next.config's) or `/`.
 */
export function documentRoutes(
  routes: readonly Route[],
  routesDir: string,
  basePath = "",
): OpenApiDocument {
  return createOpenApiDocument(routes, readApiInfo(routesDir), basePath || "/");
}

/** The OpenAPI document and its operations, for the typed client and the MCP tools. */
export function describeRouteTable(
  routes: readonly Route[],
  routesDir: string,
): { document: OpenApiDocument; operations: DescribedOperation[] } {
  return describeRoutes(routes, readApiInfo(routesDir));
}
