// The file the dev supervisor forks (dev-server.ts): one generation of `nextpress dev`.
import { runDevWorker } from "./worker";

runDevWorker();
