import path from "node:path";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
export const TOKEN = "sample-users-token";

/** The sample API as `npm start` serves it (dist/src/main.js, routes/ and instrumentation.ts compiled). */
export interface SampleServer {
  spawned: Spawned;
  base: string;
  /** fetch() on the server: JSON in, status + headers + parsed JSON body (undefined when empty) out. */
  call(
    method: string,
    url: string,
    options?: { body?: unknown; token?: string; raw?: string },
  ): Promise<Reply>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read whatever JSON came back
}

/** Starts the server process with `env` (DATA_DIR or DATABASE_URL, …) on a free loopback port. */
export async function startSampleServer(env: Record<string, string>): Promise<SampleServer> {
  const spawned = spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    API_TOKENS: TOKEN,
    ...env,
  });
  const port = await waitForListening(spawned).catch(async (error: unknown) => {
    await stopProcess(spawned);
    throw error;
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    spawned,
    base,
    async call(method, url, { body, token, raw } = {}) {
      const headers: Record<string, string> = {};
      if (body !== undefined || raw !== undefined) headers["content-type"] = "application/json";
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${base}${url}`, {
        method,
        headers,
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text) : undefined,
      };
    },
    stop: (signal) => stopProcess(spawned, signal),
  };
}
