import { loadConfig, type Config } from "./config";
import { ConfigError } from "./errors";
import { failStartup, startServer } from "./server";

/** The process entry point of `npm start` and the Docker image. */
let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) failStartup(error.message);
  throw error;
}
startServer(config).catch((error: unknown) => {
  failStartup(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
