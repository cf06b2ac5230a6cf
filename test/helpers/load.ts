import http from "node:http";

export interface Answer {
  /** When the answer was complete (Date.now()). */
  at: number;
  status: number;
  headers: http.IncomingHttpHeaders;
}

export interface LoadResult {
  /** Every request sent; each ended as exactly one answer or one error. */
  sent: number;
  answered: number;
  byStatus: Record<number, number>;
  /** Socket errors, timeouts and connections closed before the answer was complete, by code. */
  errors: Record<string, number>;
  durationMs: number;
}

export interface Load {
  /** Stops sending, waits for the requests in flight, and gives the counts. */
  stop(): Promise<LoadResult>;
}

/** No answer within this long counts as an error (ETIMEDOUT). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * A loopback load generator that accounts for every request: `connections` loops, each sending
 * GET `path` and, once its answer is complete, the next one, over a keep-alive agent with that
 * many sockets. `onAnswer` sees each answer (status, headers). Unlike a benchmark tool it never
 * drops a request silently: a reset, a hang-up or a connection closed mid-answer is an error.
 */
export function startLoad({
  port,
  path,
  connections,
  onAnswer,
}: {
  port: number;
  path: string;
  connections: number;
  onAnswer?: (answer: Answer) => void;
}): Load {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const result: LoadResult = { sent: 0, answered: 0, byStatus: {}, errors: {}, durationMs: 0 };
  const started = Date.now();
  let stopping = false;

  const once = () =>
    new Promise<void>((resolve) => {
      result.sent++;
      let settled = false;
      const fail = (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        const code = error.code ?? error.message;
        result.errors[code] = (result.errors[code] ?? 0) + 1;
        resolve();
      };
      const req = http.get(
        { host: "127.0.0.1", port, path, agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          res.on("data", () => undefined);
          res.on("error", fail);
          res.on("aborted", () =>
            fail(Object.assign(new Error("answer cut short"), { code: "ABORTED" })),
          );
          res.on("end", () => {
            if (settled) return;
            settled = true;
            const status = res.statusCode ?? 0;
            result.answered++;
            result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
            onAnswer?.({ at: Date.now(), status, headers: res.headers });
            resolve();
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("no answer in time"), { code: "ETIMEDOUT" })),
      );
      req.on("error", fail);
    });

  const loops = Array.from({ length: connections }, async () => {
    while (!stopping) await once();
  });

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      result.durationMs = Date.now() - started;
      agent.destroy();
      return result;
    },
  };
}
