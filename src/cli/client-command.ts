import path from "node:path";
import { parseArgs } from "node:util";
import { clientFiles, staleFiles, writeClient, type ClientFiles } from "../client";
import { loadConfig } from "../config";
import { loadRoutes } from "../loader/load-routes";
import { messageOf } from "../errors";

export const CLIENT_HELP =
  "Usage: nextpress client --out <dir>\n\nLoads ROUTES_DIR as `start` would and writes a typed TypeScript client of its operations to\n" +
  "<dir>/index.ts and <dir>/api.d.ts: no imports, global fetch only (docs/client.md). Exits 1 on the same\n" +
  "problems that stop start-up. `nextpress check --client <dir>` fails when they are not what this writes.";

async function loadFiles(): Promise<ClientFiles> {
  const config = loadConfig();
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    appDir: config.appDir,
  });
  return clientFiles(routes, config.routesDir);
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
    console.error(`nextpress client: ${messageOf(error)}\n\n${CLIENT_HELP}`);
    process.exit(2);
  }
  if (values.help) return void console.log(CLIENT_HELP);
  if (!values.out) {
    console.error(`nextpress client: --out <dir> is required\n\n${CLIENT_HELP}`);
    process.exit(2);
  }
  const written = writeClient(path.resolve(values.out), await loadFiles());
  console.error(
    written.length > 0
      ? `nextpress: wrote the typed client to ${values.out} (${written.map((f) => path.basename(f)).join(", ")})`
      : `nextpress: the typed client in ${values.out} is current`,
  );
}

/** For `nextpress check --client <dir>`: a problem when the committed client is not a fresh generation. */
export async function checkClient(dir: string): Promise<string | undefined> {
  const stale = staleFiles(path.resolve(dir), await loadFiles());
  if (stale.length === 0) return undefined;
  return `the typed client in ${dir} is stale (${stale.join(", ")} missing or different from the routes' client): run \`nextpress client --out ${dir}\` and commit the result`;
}
