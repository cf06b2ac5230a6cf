#!/usr/bin/env node
import path from "node:path";
import { parseArgs } from "node:util";
import { CHECK_HELP, checkRoutes } from "./cli/check-command";
import { CLIENT_HELP, checkClient, clientCommand } from "./cli/client-command";
import { OPENAPI_HELP, openapiCommand, POSTMAN_HELP, postmanCommand } from "./cli/openapi-commands";
import { formatRequestLayer } from "./cli/request-layer-table";
import { formatRouteTable, toRouteRow } from "./cli/route-table";
import { defaultNodeEnv, loadConfig } from "./config";
import { runDevServer } from "./dev/command";
import { ConfigError, messageOf, RouteLoadError } from "./errors";
import { exitAfterFlush } from "./lifecycle";
import { loadRoutes } from "./loader/load-routes";
import { unsupportedNodeMessage } from "./node-version";
import { loadNextConfig, PHASE_PRODUCTION_SERVER } from "./loader/next-config";
import { loadProxyFile } from "./loader/proxy-file";
import { runServer } from "./server";

const USAGE = `Usage: nextpress <command> [options]

Commands:
  start            serve ROUTES_DIR (see README for the environment variables)
  dev              serve the routes' TypeScript sources, reloading on every change
  routes [--json]  print the route table: pattern, methods, file, middleware, auth, schema, body limit
  openapi          print the routes' OpenAPI 3.1 document, as served at /openapi.json [--out file]
  postman          print a Postman collection of that document [--out file]
  client           write a typed TypeScript client of the routes --out <dir>
  check            import and check every route as start-up does [--write-manifest] [--client dir]

Options:
  -h, --help       show help for a command`;

const COMMAND_HELP: Record<string, string> = {
  start:
    "Usage: nextpress start\n\nServes ROUTES_DIR at /api on HOST:PORT; configured by the environment (README).",
  dev:
    "Usage: nextpress dev\n\nServes ROUTES_DIR (default: the routes/ source folder) from its TypeScript sources, no build step,\n" +
    "and reloads when a file below it is added, changed or deleted. A file that fails to load answers\n" +
    "500 with its error until it is fixed. Logs are pretty unless LOG_FORMAT is set (docs/guide.md: Dev server).",
  routes:
    "Usage: nextpress routes [--json]\n\nLoads ROUTES_DIR as `start` would and prints the route table; --json prints it as JSON.\n" +
    "Exits 1 on the same problems that stop start-up.",
  openapi: OPENAPI_HELP,
  postman: POSTMAN_HELP,
  check: CHECK_HELP,
  client: CLIENT_HELP,
};

class UsageError extends Error {}
class ClientDriftError extends Error {}

function parse(
  args: string[],
  options: Record<string, { type: "boolean" | "string"; short?: string }>,
): Record<string, boolean | string | undefined> {
  try {
    const { values } = parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: false,
    });
    return values as Record<string, boolean | string | undefined>;
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
}

async function routesCommand(args: string[]): Promise<void> {
  const flags = parse(args, { json: { type: "boolean" } });
  if (flags.help) return void console.log(COMMAND_HELP.routes);
  const config = loadConfig();
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    appDir: config.appDir,
  });
  const rows = routes.map(toRouteRow);
  if (flags.json) return void console.log(JSON.stringify(rows, null, 2));
  const projectDir = path.dirname(config.routesDir);
  const layer = formatRequestLayer(
    await loadProxyFile(projectDir),
    await loadNextConfig(projectDir, PHASE_PRODUCTION_SERVER),
    projectDir,
  );
  console.log([...layer, formatRouteTable(rows)].join("\n"));
}

async function checkCommand(args: string[]): Promise<void> {
  const flags = parse(args, { "write-manifest": { type: "boolean" }, client: { type: "string" } });
  if (flags.help) return void console.log(COMMAND_HELP.check);
  console.log(await checkRoutes(flags["write-manifest"] === true));
  if (typeof flags.client !== "string") return;
  const stale = await checkClient(flags.client);
  if (stale) throw new ClientDriftError(stale);
  console.log(`nextpress check: the client in ${flags.client} is current`);
}

async function startCommand(args: string[]): Promise<void> {
  const flags = parse(args, {});
  if (flags.help) return void console.log(COMMAND_HELP.start);
  runServer();
}

async function devCommand(args: string[]): Promise<void> {
  const flags = parse(args, {});
  if (flags.help) return void console.log(COMMAND_HELP.dev);
  await runDevServer(process.env); // runs until stopped; throws if it cannot start
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  routes: routesCommand,
  start: startCommand,
  dev: devCommand,
  openapi: openapiCommand,
  postman: postmanCommand,
  check: checkCommand,
  client: clientCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`nextpress: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  // As `next dev` / `next start` (and `next build` for the commands that import the routes):
  // set before any route, instrumentation or proxy file is imported.
  defaultNodeEnv(command === "dev" ? "development" : "production");
  try {
    await run(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`nextpress ${command}: ${error.message}\n\n${COMMAND_HELP[command]}`);
      return 2;
    }
    if (
      error instanceof ConfigError ||
      error instanceof RouteLoadError ||
      error instanceof ClientDriftError
    ) {
      console.error(`nextpress: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const refusal = unsupportedNodeMessage();
if (refusal) {
  console.error(refusal);
  exitAfterFlush(1);
}

main(process.argv.slice(2)).then(
  (code) => {
    // `start` keeps the process alive by listening; every other command ends here.
    if (code !== 0 || process.argv[2] !== "start") exitAfterFlush(code);
  },
  (error: unknown) => {
    console.error(error);
    exitAfterFlush(1);
  },
);
