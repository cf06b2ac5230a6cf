import { statSync } from "node:fs";
import { loadConfig } from "../config";
import { RouteLoadError } from "../errors";
import { createLogger } from "../logger";
import { exitAfterFlush, failStartup, onStopSignals } from "../lifecycle";
import { toDevEnv } from "./dev-config";
import { startDevServer } from "./dev-server";

/**
 * `nextpress dev`: the configuration with dev defaults (pretty logs, the routes/ source folder),
 * then the dev server until SIGINT/SIGTERM. Throws a ConfigError or RouteLoadError (no routes
 * folder to watch) before anything starts.
 */
export async function runDevServer(
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const config = loadConfig(toDevEnv(env));
  if (!(statSync(config.routesDir, { throwIfNoEntry: false })?.isDirectory() ?? false)) {
    throw new RouteLoadError(config.routesDir, [
      {
        files: [config.routesDir],
        reason:
          "the routes folder does not exist: create it, or point ROUTES_DIR at an existing folder",
      },
    ]);
  }
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const dev = startDevServer(config, logger);
  // Ctrl-C under `tsx` arrives twice (from the terminal and relayed by tsx): stop() is idempotent.
  const stop = () => {
    void dev.stop().then(() => {
      logger.info("dev server stopped");
      exitAfterFlush(0, logger);
    });
  };
  onStopSignals(stop);
  try {
    await dev.ready;
  } catch (error) {
    await dev.stop();
    failStartup((error as Error).message);
  }
  // Runs until a signal stops it.
  await new Promise<never>(() => undefined);
}
