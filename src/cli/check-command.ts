import { loadConfig } from "../config";
import { loadInstrumentation } from "../loader/instrumentation";
import { listManifestFiles, loadRoutes } from "../loader/load-routes";
import { MANIFEST_FILE, writeManifest } from "../loader/manifest";
import { documentRoutes } from "../openapi";

export const CHECK_HELP =
  "Usage: nextpress check [--write-manifest] [--client <dir>]\n\n" +
  "Imports every route and _middleware file of ROUTES_DIR and checks them as start-up does (and the\n" +
  `OpenAPI document, unless OPENAPI=false). --write-manifest then records the files in ROUTES_DIR/${MANIFEST_FILE}:\n` +
  "while they stay unchanged, `start` imports each route on its first request instead of all at start-up.\n" +
  "`npm run build` runs it on the compiled routes. --client <dir> also fails when <dir>/index.ts is not\n" +
  "what `nextpress client --out <dir>` writes now (a drift gate for CI). Exits 1 on any problem.";

/** `nextpress check`: the build step that lets `start` load routes lazily and still never serve a broken one. */
export async function checkRoutes(writeManifestFile: boolean): Promise<string> {
  const config = loadConfig();
  // Imported and checked, not run: register() (migrations, say) belongs to start-up, not to the build.
  await loadInstrumentation(config.routesDir);
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    appDir: config.appDir,
  });
  if (config.openapi) documentRoutes(routes, config.routesDir);
  let summary = `nextpress check: ${routes.length} routes in ${config.routesDir} load cleanly`;
  if (writeManifestFile) {
    const files = await listManifestFiles(config.routesDir, {
      bodyLimit: config.bodyLimit,
      appDir: config.appDir,
    });
    summary += `; manifest written to ${await writeManifest(config.routesDir, files)}`;
  }
  return summary;
}
