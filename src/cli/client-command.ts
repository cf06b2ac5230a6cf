import path from "node:path";
import { parseArgs } from "node:util";
import { CLIENT_FILE, clientSource, readCurrent, writeClient } from "../client";
import { loadConfig } from "../config";
import { loadRoutes } from "../loader/load-routes";

export const CLIENT_HELP =
  "Usage: nextpress client --out <dir>\n\nLoads ROUTES_DIR as `start` would and writes a typed TypeScript client of its operations to\n" +
  `<dir>/${CLIENT_FILE}: one file, no imports, global fetch only (docs/client.md). Exits 1 on the same problems\n` +
  "that stop start-up. `nextpress check --client <dir>` fails when that file is not what this writes.";

async function loadSource(): Promise<string> {
  const config = loadConfig();
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    appDir: config.appDir,
  });
  return clientSource(routes, config.routesDir);
}

/** `nextpress client --out <dir>`. */
export async function clientCommand(args: string[]): Promise<void> {
  let values: { out?: string; help?: boolean };
  try {
    values = parseArgs({
      args,
      options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`nextpress client: ${(error as Error).message}\n\n${CLIENT_HELP}`);
    process.exit(2);
  }
  if (values.help) return void console.log(CLIENT_HELP);
  if (!values.out) {
    console.error(`nextpress client: --out <dir> is required\n\n${CLIENT_HELP}`);
    process.exit(2);
  }
  const written = writeClient(path.resolve(values.out), await loadSource());
  console.error(
    written
      ? `nextpress: wrote the typed client to ${path.join(values.out, CLIENT_FILE)}`
      : `nextpress: the typed client in ${values.out} is current`,
  );
}

/** For `nextpress check --client <dir>`: a problem when the committed client is not a fresh generation. */
export async function checkClient(dir: string): Promise<string | undefined> {
  const file = path.join(path.resolve(dir), CLIENT_FILE);
  const current = readCurrent(file);
  if (current === (await loadSource())) return undefined;
  return current === undefined
    ? `${file} does not exist: run \`nextpress client --out ${dir}\` and commit it`
    : `${file} differs from the routes' client: run \`nextpress client --out ${dir}\` and commit the result`;
}
