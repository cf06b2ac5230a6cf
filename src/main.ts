import nodeModule from "node:module";
import { unsupportedNodeMessage } from "./node-version";

const refusal = unsupportedNodeMessage();
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}

// Node 22.1+ caches compiled code between starts. It must be on before
// the server's modules load, hence the require() below rather than an import.
nodeModule.enableCompileCache();

// The entry point of the Docker image (`npm start` goes through the CLI). NODE_ENV as `next start`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
(require("./config") as typeof import("./config")).defaultNodeEnv("production");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the compile cache is on (see above)
(require("./server") as typeof import("./server")).runServer();
