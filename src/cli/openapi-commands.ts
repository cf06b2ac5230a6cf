import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config";
import { loadRoutes } from "../loader/load-routes";
import { documentRoutes, type OpenApiDocument } from "../openapi";
import { toPostmanCollection } from "../openapi/postman";
import { messageOf } from "../errors";

export const OPENAPI_HELP =
  "Usage: nextpress openapi [--out file]\n\nLoads ROUTES_DIR as `start` would and prints its OpenAPI 3.1 document, the one served at\n" +
  "/openapi.json; --out writes it to a file. Exits 1 on the same problems that stop start-up.";

export const POSTMAN_HELP =
  "Usage: nextpress postman [--out file]\n\nPrints a Postman v2.1 collection of the OpenAPI document (openapi-to-postmanv2), with the\n" +
  "variables {{baseUrl}} (default http://localhost:$PORT) and {{token}} (Bearer routes), and a test that\n" +
  "every response has a documented status; --out writes it to a file. Run it with newman:\n" +
  "  newman run collection.json --env-var baseUrl=http://localhost:3000 --env-var token=s3cret";

/** `--out file` or nothing; a bad flag prints the command's help and exits 2, as the other commands do. */
function parseOut(command: string, help: string, args: string[]): { out?: string; help?: boolean } {
  try {
    const { values } = parseArgs({
      args,
      options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    console.error(`nextpress ${command}: ${messageOf(error)}\n\n${help}`);
    process.exit(2);
  }
}

async function loadDocument(): Promise<{ document: OpenApiDocument; port: number }> {
  const config = loadConfig();
  const routes = await loadRoutes(config.routesDir, {
    bodyLimit: config.bodyLimit,
    appDir: config.appDir,
  });
  return { document: documentRoutes(routes, config.routesDir), port: config.port };
}

function write(out: string | undefined, data: unknown, what: string): void {
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (out === undefined) return void process.stdout.write(text);
  writeFileSync(path.resolve(out), text);
  console.error(`nextpress: wrote ${what} to ${out}`);
}

/** `nextpress openapi [--out file]`: the document, without starting a server. */
export async function openapiCommand(args: string[]): Promise<void> {
  const flags = parseOut("openapi", OPENAPI_HELP, args);
  if (flags.help) return void console.log(OPENAPI_HELP);
  const { document } = await loadDocument();
  write(flags.out, document, "the OpenAPI document");
}

/** `nextpress postman [--out file]`: the Postman collection of that document. */
export async function postmanCommand(args: string[]): Promise<void> {
  const flags = parseOut("postman", POSTMAN_HELP, args);
  if (flags.help) return void console.log(POSTMAN_HELP);
  const { document, port } = await loadDocument();
  write(
    flags.out,
    await toPostmanCollection(document, `http://localhost:${port === 0 ? 3000 : port}`),
    "the Postman collection",
  );
}
