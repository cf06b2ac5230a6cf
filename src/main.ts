import nodeModule from "node:module";

// Node 22.1+ caches compiled code between starts; Node 20 has no such API. It must be on before
// the server's modules load, hence the require() below rather than an import.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The entry point of the Docker image (`npm start` goes through the CLI). NODE_ENV as `next start`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
(require("./config") as typeof import("./config")).defaultNodeEnv("production");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the compile cache is on (see above)
(require("./server") as typeof import("./server")).runServer();
