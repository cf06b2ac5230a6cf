import { promises as fs } from "node:fs";
import path from "node:path";
import { errorCode, InvalidRouteError, RouteLoadError, type RouteProblem } from "../errors";
import type { UploadSettings } from "../http/request-state";
import { toBytes } from "../size";
import type { Middleware, NextApiHandler } from "../types";
import { scanAppDir } from "./app-scan";
import { buildEndpoints, type RouteEndpoints } from "./build-route";
import {
  buildAppEndpoints,
  checkEdgeRoute,
  edgeSettings,
  isEdgeConfig,
  resolveSegmentConfig,
  type RouteKind,
  type WebSettings,
} from "./build-web-route";
import { inheritedMiddleware, loadDirectoryMiddleware } from "./directory-middleware";
import { isTypeScriptFile } from "./ignore-rules";
import { isManifestCurrent } from "./manifest";
import { isStartCacheCurrent } from "./start-cache";
import { importRoute, type RouteModule } from "./import-route";
import { toMiddlewareList } from "./middleware-list";
import { installPathAliases, nextAliases } from "./module-aliases";
import {
  resolveRouteSettings,
  resolveUploadSettings,
  type MultipartOptions,
  type RouteSettings,
} from "./route-config";
import { findRouteConflicts } from "./route-conflicts";
import { formatPattern, toAppSegments, toSegments, type Segment } from "./route-pattern";
import { scanRoutesDir } from "./scan";
import { ensureTypeScriptRuntime } from "./typescript-runtime";

/** One served route: plain data prepared at start-up, plus its handler. */
export interface Route {
  /** `pages` (routes/), `edge` (routes/ with `runtime: 'edge'`), `app` (app/**\/route.ts). */
  readonly kind: RouteKind;
  /** For pages routes, relative to the routes folder; for app routes, `app/…/route.ts` (the app folder's name first). `/`-separated. */
  readonly file: string;
  readonly absoluteFile: string;
  /** Next-style URL pattern, e.g. `/api/post/[pid]`. */
  readonly pattern: string;
  /** Where the route's segments start: `/api` for routes/, `` for app/. */
  readonly mount: string;
  /** The URL's segments below `mount`. */
  readonly segments: readonly Segment[];
  /** The default export (Next style), if the file has one. */
  readonly handler: NextApiHandler | undefined;
  readonly settings: RouteSettings;
  /** Web routes (edge, app): segment config, body limit. */
  readonly web?: WebSettings;
  /** What readMultipart may read for this route (its `multipart` options over the defaults). */
  readonly upload: UploadSettings;
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
  /** The app-router folder (APP_DIR): its `route.ts` files are served beside the routes folder's. */
  appDir?: string;
  /** Where readMultipart's `toDisk` files are written until the response ends (DATA_DIR/tmp-uploads). */
  uploadDir?: string;
}

/** Paths nextpress answers itself, before any route: an app route there would never be reached. */
const RESERVED = ["/healthz", "/readyz", "/openapi.json", "/docs"];

/** Web routes read their own body (`request.json()`), and end every request themselves. */
const WEB_SETTINGS: RouteSettings = Object.freeze({
  bodyParser: false,
  responseLimit: false,
  externalResolver: true,
  inheritMiddleware: true,
});

async function folderKind(dir: string): Promise<"folder" | "file" | "missing"> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) return "missing";
  return stat.isDirectory() ? "folder" : "file";
}

async function assertDirectory(routesDir: string, optional: boolean): Promise<boolean> {
  const kind = await folderKind(routesDir);
  if (kind === "folder") return true;
  if (kind === "missing" && optional) return false;
  const reason =
    kind === "file"
      ? "is a file, not the routes folder: point ROUTES_DIR at the folder that holds the route files"
      : "the routes folder does not exist: create it, or point ROUTES_DIR at an existing folder";
  throw new RouteLoadError(routesDir, [{ files: [routesDir], reason }]);
}

/** A route whose module is imported on first use (see loadRoutesLazily). */
export interface LazyRoute {
  readonly kind: RouteKind | undefined;
  readonly file: string;
  readonly absoluteFile: string;
  readonly pattern: string;
  readonly mount: string;
  readonly segments: readonly Segment[];
  /** Imports and checks the module once; every call returns the same promise. */
  readonly load: () => Promise<Route>;
}

interface PlannedRoute {
  /** As routes are named in messages and the table. */
  file: string;
  /** Relative to its own root folder. */
  relative: string;
  root: "routes" | "app";
  segments: Segment[];
}

type Directories = Awaited<ReturnType<typeof loadDirectoryMiddleware>>;

interface Context {
  routesDir: string;
  appDir: string | undefined;
  prefix: string;
  options: LoadRoutesOptions;
  globalMiddleware: Middleware[];
  directories: Directories;
  appDirectories: Directories | undefined;
}

/** How an app route is named: under its folder's own name, e.g. `app/api/users/route.ts`. */
function appFileName(appDir: string, relative: string): string {
  return `${path.basename(appDir)}/${relative}`;
}

/** Scan, names and conflicts: everything that needs no import. Problems are collected, not thrown. */
async function planRoutes(routesDir: string, options: LoadRoutesOptions) {
  const prefix = options.prefix ?? "/api";
  const appDir = options.appDir;
  const app =
    appDir && (await folderKind(appDir)) === "folder" ? await scanAppDir(appDir) : undefined;
  const hasRoutesDir = await assertDirectory(routesDir, app !== undefined && app.routes.length > 0);
  const { routes: files, middleware: middlewareFiles } = hasRoutesDir
    ? await scanRoutesDir(routesDir)
    : { routes: [], middleware: [] };
  const problems: RouteProblem[] = [];
  // Checked like a route's: a non-function here would otherwise be a 500 on every request.
  const globalMiddleware = toMiddlewareList(
    options.globalMiddleware ?? [],
    "createApp's `middleware` option",
  );
  // A name that is not a valid route is a problem of its file; the other files are still planned.
  const plan = (file: string, make: () => PlannedRoute): PlannedRoute[] => {
    try {
      return [make()];
    } catch (error) {
      if (!(error instanceof InvalidRouteError)) throw error;
      problems.push({ files: [file], reason: error.message });
      return [];
    }
  };
  const planned = files.flatMap((file) =>
    plan(file, () => ({ file, relative: file, root: "routes", segments: toSegments(file) })),
  );
  const appPlanned =
    appDir && app
      ? app.routes.flatMap((relative) => {
          const file = appFileName(appDir, relative);
          return plan(file, () => ({
            file,
            relative,
            root: "app",
            segments: toAppSegments(relative),
          }));
        })
      : [];
  if (app && appDir)
    problems.push(
      ...app.problems.map((p) => ({ ...p, files: p.files.map((f) => appFileName(appDir, f)) })),
    );
  if (appPlanned.length === 0) {
    problems.push(...findRouteConflicts(planned, prefix));
  } else {
    // One URL space: a pages route sits under its prefix, an app route at its folders.
    const mountSegments = prefix
      .split("/")
      .filter(Boolean)
      .map((value): Segment => ({ kind: "static", value }));
    const everything = [
      ...planned.map((p) => ({ ...p, segments: [...mountSegments, ...p.segments] })),
      ...appPlanned,
    ];
    problems.push(...findRouteConflicts(everything, ""));
    for (const route of appPlanned) {
      const pattern = formatPattern(route.segments, "");
      const reserved = RESERVED.find((path) => pattern === path || pattern.startsWith(`${path}/`));
      if (reserved)
        problems.push({
          files: [route.file],
          reason: `${pattern} is answered by nextpress itself (health checks, OpenAPI): move this route`,
        });
    }
  }
  return {
    prefix,
    files,
    middlewareFiles,
    problems,
    globalMiddleware,
    planned,
    appPlanned,
    appDir: app ? appDir : undefined,
    app,
  };
}

/** Imports one route file and resolves everything about it, or names its problem. */
async function loadRoute(planned: PlannedRoute, context: Context): Promise<Route | RouteProblem> {
  const { file, relative, segments } = planned;
  const isApp = planned.root === "app";
  const absoluteFile = path.join((isApp && context.appDir) || context.routesDir, relative);
  try {
    const mod = await importRoute(absoluteFile);
    if (isApp) {
      const web = resolveSegmentConfig(mod, context.options.bodyLimit);
      const upload = uploadSettingsOf(web.multipart, web.bodyLimit.bytes, context);
      const directories = context.appDirectories
        ? inheritedMiddleware(relative, context.appDirectories.byDir)
        : [];
      const source = await fs.readFile(absoluteFile, "utf8").catch(() => "");
      const endpoints = buildAppEndpoints(mod, directories, source);
      const chain = [...context.globalMiddleware, ...endpoints.chain];
      const pattern = formatPattern(segments, "");
      const settings =
        web.rateLimit === undefined ? WEB_SETTINGS : { ...WEB_SETTINGS, rateLimit: web.rateLimit };
      return {
        kind: "app",
        file,
        absoluteFile,
        pattern,
        mount: "",
        segments,
        handler: undefined,
        settings,
        web,
        upload,
        endpoints,
        chain,
        module: mod,
      };
    }
    const settings = resolveRouteSettings(mod.config, context.options.bodyLimit);
    const edge = isEdgeConfig(mod.config);
    if (edge) checkEdgeRoute(mod);
    const endpoints = buildEndpoints(
      mod,
      settings,
      inheritedMiddleware(relative, context.directories.byDir),
    );
    const pattern = formatPattern(segments, context.prefix);
    const chain = [...context.globalMiddleware, ...endpoints.chain];
    const bodyBytes = settings.bodyParser
      ? settings.bodyParser.limit
      : toBytes(context.options.bodyLimit);
    const route = {
      file,
      absoluteFile,
      pattern,
      mount: context.prefix,
      segments,
      handler: mod.handler,
      upload: uploadSettingsOf(settings.multipart, bodyBytes, context),
      endpoints,
      chain,
      module: mod,
    };
    if (!edge) return { ...route, kind: "pages", settings };
    const edgeRouteSettings = {
      ...WEB_SETTINGS,
      inheritMiddleware: settings.inheritMiddleware,
      rateLimit: settings.rateLimit,
    };
    return {
      ...route,
      kind: "edge",
      settings: edgeRouteSettings,
      web: edgeSettings(settings.bodyParser, context.options.bodyLimit),
    };
  } catch (error) {
    const reason = error instanceof InvalidRouteError ? error.message : describeImportError(error);
    return { files: [file], reason };
  }
}

function uploadSettingsOf(
  options: MultipartOptions | undefined,
  bodyLimitBytes: number,
  context: Context,
): UploadSettings {
  const tmpDir = context.options.uploadDir ?? path.resolve("data", "tmp-uploads");
  return resolveUploadSettings(options, bodyLimitBytes, tmpDir);
}

function isRoute(result: Route | RouteProblem): result is Route {
  return "handler" in result;
}

/** The package a bare specifier names: `lodash/fp` → `lodash`, `@scope/name/x` → `@scope/name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The specifier of a "Cannot find module 'x'" / "Cannot find package 'x'" error (require and import). */
const MISSING = /Cannot find (?:module|package) '([^']+)'/;

/** Stack frames of the loaders a route passes through (tsx, Node's own): noise in a route's error. */
const LOADER_FRAME = /^\s+at .*(node:internal|node_modules[\\/]tsx[\\/]|\(node:)/;

/**
 * A `next/*` module nextpress has no shim for: installing `next` would not help (its functions
 * need Next's own server), so the message says what is there instead.
 */
function unsupportedNextModule(specifier: string): string {
  const supported = [
    ...new Set([...nextAliases().keys()].map((name) => name.replace(/\.js$/, ""))),
  ];
  return `imports "${specifier}", which nextpress does not provide (it serves route handlers without Next): nextpress supports ${supported.join(", ")}`;
}

export function describeImportError(error: unknown): string {
  if (!(error instanceof Error)) return `throws on import: ${String(error)}`;
  const code = errorCode(error);
  if (code === "ERR_UNKNOWN_FILE_EXTENSION")
    return "cannot be imported as TypeScript here: build the project first, or run under tsx";
  const missing =
    (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") &&
    MISSING.exec(error.message)?.[1];
  if (missing) {
    if (missing.startsWith(".") || path.isAbsolute(missing) || missing.startsWith("file:")) {
      return `imports "${missing}", which does not exist: check the path (and its extension)`;
    }
    if (packageName(missing) === "next") return unsupportedNextModule(missing);
    return `imports "${missing}", which is not installed: run \`npm install ${packageName(missing)}\``;
  }
  const stack = (error.stack ?? error.message)
    .split("\n")
    .filter((line) => !LOADER_FRAME.test(line))
    .join("\n");
  return `throws on import: ${stack}`;
}

/** What the error names: the routes folder, and the app folder when there is one. */
function label(routesDir: string, appDir: string | undefined): string {
  return appDir ? `${routesDir} and ${appDir}` : routesDir;
}

async function loadDirectories(plan: Awaited<ReturnType<typeof planRoutes>>, routesDir: string) {
  const directories = await loadDirectoryMiddleware(
    routesDir,
    plan.middlewareFiles,
    describeImportError,
  );
  const appDirectories =
    plan.appDir && plan.app
      ? await loadDirectoryMiddleware(plan.appDir, plan.app.middleware, describeImportError)
      : undefined;
  if (appDirectories && plan.appDir) {
    const appDir = plan.appDir;
    appDirectories.problems = appDirectories.problems.map((p) => ({
      ...p,
      files: p.files.map((f) => appFileName(appDir, f)),
    }));
  }
  return { directories, appDirectories };
}

/**
 * What both loaders do before importing a route: path aliases on, the TypeScript runtime when a
 * file needs it, the `_middleware` folders loaded. Their problems come back with the context.
 */
async function prepareContext(
  plan: Awaited<ReturnType<typeof planRoutes>>,
  routesDir: string,
  options: LoadRoutesOptions,
): Promise<{ context: Context; problems: RouteProblem[] }> {
  installPathAliases([routesDir, ...(plan.appDir ? [plan.appDir] : [])]);
  const allFiles = [
    ...plan.files,
    ...plan.middlewareFiles,
    ...(plan.app?.routes ?? []),
    ...(plan.app?.middleware ?? []),
  ];
  if (allFiles.some(isTypeScriptFile)) await ensureTypeScriptRuntime();
  const { directories, appDirectories } = await loadDirectories(plan, routesDir);
  const context: Context = {
    routesDir,
    appDir: plan.appDir,
    prefix: plan.prefix,
    options,
    globalMiddleware: plan.globalMiddleware,
    directories,
    appDirectories,
  };
  return { context, problems: [...directories.problems, ...(appDirectories?.problems ?? [])] };
}

/**
 * Scan → patterns → conflicts → import: the route table for `routesDir` (and `options.appDir`),
 * or a RouteLoadError listing every broken or conflicting file. Nothing is served from a
 * half-loaded folder.
 *
 * @example
 * const routes = await loadRoutes("/srv/app/routes", { bodyLimit: "1mb", appDir: "/srv/app/app" });
 */
export async function loadRoutes(routesDir: string, options: LoadRoutesOptions): Promise<Route[]> {
  const plan = await planRoutes(routesDir, options);
  // Import even when names collide, so that one start-up reports every problem in the folder.
  const { context, problems } = await prepareContext(plan, routesDir, options);
  problems.unshift(...plan.problems);
  const loaded = await Promise.all(
    [...plan.planned, ...plan.appPlanned].map((planned) => loadRoute(planned, context)),
  );
  // In file order, whichever import settled first.
  for (const result of loaded) if (!isRoute(result)) problems.push(result);
  if (problems.length > 0) throw new RouteLoadError(label(routesDir, plan.appDir), problems);
  return loaded.filter(isRoute);
}

/**
 * The route table with each module imported on first use, when `nextpress check --write-manifest`
 * (run by `npm run build`) has already imported and checked this exact set of files, or an eager
 * start recorded them and what they load in `startCache` (start-cache.ts): names, conflicts and
 * `_middleware` are still checked now; the app folder's files count too. Undefined otherwise:
 * then every file must be imported at start-up (loadRoutes), so that a broken one stops it.
 */
export async function loadRoutesLazily(
  routesDir: string,
  options: LoadRoutesOptions,
  startCache?: string,
): Promise<LazyRoute[] | undefined> {
  const plan = await planRoutes(routesDir, options);
  if (plan.problems.length > 0)
    throw new RouteLoadError(label(routesDir, plan.appDir), plan.problems);
  const files = manifestFiles(routesDir, plan);
  const vouched =
    (await isManifestCurrent(routesDir, files)) ||
    (startCache !== undefined && (await isStartCacheCurrent(startCache, routesDir, files)));
  if (!vouched) return undefined;
  const { context, problems } = await prepareContext(plan, routesDir, options);
  if (problems.length > 0) throw new RouteLoadError(label(routesDir, plan.appDir), problems);
  return [...plan.planned, ...plan.appPlanned].map((planned) => {
    let loading: Promise<Route> | undefined;
    const isApp = planned.root === "app";
    return {
      kind: isApp ? "app" : undefined,
      file: planned.file,
      absoluteFile: path.join((isApp && plan.appDir) || routesDir, planned.relative),
      pattern: formatPattern(planned.segments, isApp ? "" : plan.prefix),
      mount: isApp ? "" : plan.prefix,
      segments: planned.segments,
      load: () =>
        (loading ??= loadRoute(planned, context).then((result) => {
          if (isRoute(result)) return result;
          throw new RouteLoadError(label(routesDir, plan.appDir), [result]);
        })),
    };
  });
}

/** Every file the manifest vouches for, relative to the routes folder (app files as `../app/…`). */
function manifestFiles(routesDir: string, plan: Awaited<ReturnType<typeof planRoutes>>): string[] {
  const appDir = plan.appDir;
  const appFiles =
    plan.app && appDir
      ? [...plan.app.routes, ...plan.app.middleware].map((file) =>
          path.relative(routesDir, path.join(appDir, file)).split(path.sep).join("/"),
        )
      : [];
  return [...plan.files, ...plan.middlewareFiles, ...appFiles];
}

/** What `nextpress check --write-manifest` records: the same files start-up compares. */
export async function listManifestFiles(
  routesDir: string,
  options: LoadRoutesOptions,
): Promise<string[]> {
  return manifestFiles(routesDir, await planRoutes(routesDir, options));
}
