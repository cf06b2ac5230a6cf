import { promises as fs } from "node:fs";
import path from "node:path";
import { InvalidRouteError, RouteLoadError, type RouteProblem } from "../errors";
import type { Middleware, NextApiHandler } from "../types";
import { buildEndpoints, type RouteEndpoints } from "./build-route";
import { inheritedMiddleware, loadDirectoryMiddleware } from "./directory-middleware";
import { isTypeScriptFile } from "./ignore-rules";
import { isManifestCurrent } from "./manifest";
import { importRoute, type RouteModule } from "./import-route";
import { toMiddlewareList } from "./middleware-list";
import { resolveRouteSettings, type RouteSettings } from "./route-config";
import { findRouteConflicts } from "./route-conflicts";
import { formatPattern, toSegments, type Segment } from "./route-pattern";
import { scanRoutesDir } from "./scan";
import { ensureTypeScriptRuntime } from "./typescript-runtime";

/** One served route: plain data prepared at start-up, plus its handler. */
export interface Route {
  /** Path relative to the routes folder, `/`-separated. */
  readonly file: string;
  readonly absoluteFile: string;
  /** Next-style URL pattern, e.g. `/api/post/[pid]`. */
  readonly pattern: string;
  readonly segments: readonly Segment[];
  /** The default export (Next style), if the file has one. */
  readonly handler: NextApiHandler | undefined;
  readonly settings: RouteSettings;
  readonly endpoints: RouteEndpoints;
  /** Everything that runs before the endpoint: global, folders' `_middleware`, the file's own. */
  readonly chain: readonly Middleware[];
  /** Everything the file exports that nextpress reads (the OpenAPI document reads its `openapi` and `methods`). */
  readonly module: RouteModule;
}

export interface LoadRoutesOptions {
  /** Default body limit for routes without `config.api.bodyParser.sizeLimit`. */
  bodyLimit: string;
  prefix?: string;
  /** Runs first in every route's chain (createApp's `middleware` option). */
  globalMiddleware?: readonly Middleware[];
}

async function assertDirectory(routesDir: string): Promise<void> {
  const stat = await fs.stat(routesDir).catch(() => undefined);
  if (stat?.isDirectory()) return;
  const reason = stat
    ? "is a file, not the routes folder: point ROUTES_DIR at the folder that holds the route files"
    : "the routes folder does not exist: create it, or point ROUTES_DIR at an existing folder";
  throw new RouteLoadError(routesDir, [{ files: [routesDir], reason }]);
}

/** A route whose module is imported on first use (see loadRoutesLazily). */
export interface LazyRoute {
  readonly file: string;
  readonly absoluteFile: string;
  readonly pattern: string;
  readonly segments: readonly Segment[];
  /** Imports and checks the module once; every call returns the same promise. */
  readonly load: () => Promise<Route>;
}

interface PlannedRoute {
  file: string;
  segments: Segment[];
}

interface Context {
  routesDir: string;
  prefix: string;
  options: LoadRoutesOptions;
  globalMiddleware: Middleware[];
  directories: Awaited<ReturnType<typeof loadDirectoryMiddleware>>;
}

/** Scan, names and conflicts: everything that needs no import. Problems are collected, not thrown. */
async function planRoutes(routesDir: string, options: LoadRoutesOptions) {
  const prefix = options.prefix ?? "/api";
  await assertDirectory(routesDir);
  const { routes: files, middleware: middlewareFiles } = await scanRoutesDir(routesDir);
  const problems: RouteProblem[] = [];
  // Checked like a route's: a non-function here would otherwise be a 500 on every request.
  const globalMiddleware = toMiddlewareList(options.globalMiddleware ?? [], "createApp's `middleware` option");
  const planned = files.flatMap((file): PlannedRoute[] => {
    try {
      return [{ file, segments: toSegments(file) }];
    } catch (error) {
      if (!(error instanceof InvalidRouteError)) throw error;
      problems.push({ files: [file], reason: error.message });
      return [];
    }
  });
  problems.push(...findRouteConflicts(planned, prefix));
  return { prefix, files, middlewareFiles, problems, globalMiddleware, planned };
}

/** Imports one route file and resolves everything about it, or names its problem. */
async function loadRoute({ file, segments }: PlannedRoute, context: Context): Promise<Route | RouteProblem> {
  const absoluteFile = path.join(context.routesDir, file);
  try {
    const mod = await importRoute(absoluteFile);
    const settings = resolveRouteSettings(mod.config, context.options.bodyLimit);
    const endpoints = buildEndpoints(mod, settings, inheritedMiddleware(file, context.directories.byDir));
    const pattern = formatPattern(segments, context.prefix);
    const chain = [...context.globalMiddleware, ...endpoints.chain];
    return { file, absoluteFile, pattern, segments, handler: mod.handler, settings, endpoints, chain, module: mod };
  } catch (error) {
    const reason = error instanceof InvalidRouteError ? error.message : describeImportError(error);
    return { files: [file], reason };
  }
}

function isRoute(result: Route | RouteProblem): result is Route {
  return "handler" in result;
}

function describeImportError(error: unknown): string {
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === "ERR_UNKNOWN_FILE_EXTENSION") {
    return "cannot be imported as TypeScript here: build the project first, or run under tsx";
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `throws on import: ${detail}`;
}

/**
 * Scan → patterns → conflicts → import: the route table for `routesDir`, or a RouteLoadError
 * listing every broken or conflicting file. Nothing is served from a half-loaded folder.
 *
 * @example
 * const routes = await loadRoutes("/srv/app/routes", { bodyLimit: "1mb" });
 */
export async function loadRoutes(routesDir: string, options: LoadRoutesOptions): Promise<Route[]> {
  const plan = await planRoutes(routesDir, options);
  const { problems } = plan;
  // Import even when names collide, so that one start-up reports every problem in the folder.
  if ([...plan.files, ...plan.middlewareFiles].some(isTypeScriptFile)) await ensureTypeScriptRuntime();
  const directories = await loadDirectoryMiddleware(routesDir, plan.middlewareFiles, describeImportError);
  problems.push(...directories.problems);
  const context: Context = { routesDir, prefix: plan.prefix, options, globalMiddleware: plan.globalMiddleware, directories };
  const loaded = await Promise.all(plan.planned.map((planned) => loadRoute(planned, context)));
  // In file order, whichever import settled first.
  for (const result of loaded) if (!isRoute(result)) problems.push(result);
  if (problems.length > 0) throw new RouteLoadError(routesDir, problems);
  return loaded.filter(isRoute);
}

/**
 * The route table with each module imported on first use, when `nextpress check --write-manifest`
 * (run by `npm run build`) has already imported and checked this exact set of files: names,
 * conflicts and `_middleware` are still checked now. Undefined when there is no current manifest:
 * then every file must be imported at start-up (loadRoutes), so that a broken one stops it.
 */
export async function loadRoutesLazily(routesDir: string, options: LoadRoutesOptions): Promise<LazyRoute[] | undefined> {
  const plan = await planRoutes(routesDir, options);
  if (plan.problems.length > 0) throw new RouteLoadError(routesDir, plan.problems);
  if (!(await isManifestCurrent(routesDir, [...plan.files, ...plan.middlewareFiles]))) return undefined;
  if ([...plan.files, ...plan.middlewareFiles].some(isTypeScriptFile)) await ensureTypeScriptRuntime();
  const directories = await loadDirectoryMiddleware(routesDir, plan.middlewareFiles, describeImportError);
  if (directories.problems.length > 0) throw new RouteLoadError(routesDir, directories.problems);
  const context: Context = { routesDir, prefix: plan.prefix, options, globalMiddleware: plan.globalMiddleware, directories };
  return plan.planned.map((planned) => {
    let loading: Promise<Route> | undefined;
    return {
      file: planned.file,
      absoluteFile: path.join(routesDir, planned.file),
      pattern: formatPattern(planned.segments, plan.prefix),
      segments: planned.segments,
      load: () =>
        (loading ??= loadRoute(planned, context).then((result) => {
          if (isRoute(result)) return result;
          throw new RouteLoadError(routesDir, [result]);
        })),
    };
  });
}
