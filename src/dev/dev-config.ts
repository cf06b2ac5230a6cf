import { existsSync } from "node:fs";
import path from "node:path";

/** The folder holding nextpress's package.json: `src/dev/..` under tsx, `dist/src/dev/..` when compiled. */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** What `nextpress dev` serves when ROUTES_DIR is unset: the routes/ source folder, never a build of it. */
export const SOURCE_ROUTES_DIR = path.resolve(findProjectRoot(__dirname), "routes");

type Env = Readonly<Record<string, string | undefined>>;

const isUnset = (value: string | undefined): boolean => value === undefined || value.trim() === "";

/**
 * The environment `nextpress dev` configures itself from: `env` with dev defaults for what it leaves
 * unset (LOG_FORMAT=pretty, ROUTES_DIR=the routes/ source folder, NODE_ENV=development). loadConfig then validates it.
 *
 * @example
 * loadConfig(toDevEnv(process.env));
 */
export function toDevEnv(
  env: Env,
  routesDir = SOURCE_ROUTES_DIR,
): Record<string, string | undefined> {
  return {
    ...env,
    LOG_FORMAT: isUnset(env.LOG_FORMAT) ? "pretty" : env.LOG_FORMAT,
    ROUTES_DIR: isUnset(env.ROUTES_DIR) ? routesDir : env.ROUTES_DIR,
    // As `next dev`: preview cookies without Secure, for plain http://localhost.
    NODE_ENV: isUnset(env.NODE_ENV) ? "development" : env.NODE_ENV,
  };
}
