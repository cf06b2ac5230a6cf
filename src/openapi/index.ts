import type { Route } from "../loader/load-routes";
import { createOpenApiDocument, type OpenApiDocument } from "./document";
import { readApiInfo } from "./project-info";

export { createDocsMiddleware, createLazyDocsMiddleware } from "./docs-middleware";
export type { OpenApiDocument } from "./document";

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
