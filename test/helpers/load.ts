import http from "node:http";

export interface Answer {
  /** When the answer was complete (Date.now()). */
  at: number;
  method: string;
  status: number;
  headers: http.IncomingHttpHeaders;
}

/** What one request of the load is: a GET of `path`, or a request with a body. */
export interface RequestSpec {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** The counts for one method. */
export interface Counts {
  /** Every request sent; each ended as exactly one answer or one error. */
  sent: number;
  answered: number;
  byStatus: Record<number, number>;
  /** Socket errors, timeouts and connections closed before the answer was complete, by code. */
  errors: Record<string, number>;
}

export interface LoadResult extends Counts {
  /** The same counts for each method sent. */
  byMethod: Record<string, Counts>;
  durationMs: number;
}

export interface Load {
  /** Stops sending, waits for the requests in flight, and gives the counts. */
  stop(): Promise<LoadResult>;
}

/** No answer within this long counts as an error (ETIMEDOUT). */
const REQUEST_TIMEOUT_MS = 10_000;

const emptyCounts = (): Counts => ({ sent: 0, answered: 0, byStatus: {}, errors: {} });

/** Requests answered with a status of 300 or more, plus errors: what a client saw fail. */
export function failures(counts: Counts): number {
  const non2xx = Object.entries(counts.byStatus)
    .filter(([status]) => Number(status) >= 300)
    .reduce((sum, [, n]) => sum + n, 0);
  return non2xx + Object.values(counts.errors).reduce((sum, n) => sum + n, 0);
}

/**
 * A loopback load generator that accounts for every request: `connections` loops, each sending
 * its request (connection i sends `requests[i % requests.length]`, or GET `path`) and, once its
 * answer is complete, the next one, over a keep-alive agent with that many sockets. `onAnswer`
 * sees each answer (status, headers). Unlike a benchmark tool it never drops a request silently:
 * a reset, a hang-up or a connection closed mid-answer is an error, counted per method too.
 */
export function startLoad({
  port,
  path,
  requests,
  connections,
  onAnswer,
}: {
  port: number;
  path?: string;
  requests?: readonly RequestSpec[];
  connections: number;
  onAnswer?: (answer: Answer) => void;
}): Load {
  const specs: readonly RequestSpec[] = requests ?? [{ method: "GET", path: path ?? "/" }];
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const result: LoadResult = { ...emptyCounts(), byMethod: {}, durationMs: 0 };
  const started = Date.now();
  let stopping = false;

  const once = (spec: RequestSpec) =>
    new Promise<void>((resolve) => {
      const counts = (result.byMethod[spec.method] ??= emptyCounts());
      for (const c of [result, counts]) c.sent++;
      let settled = false;
      const fail = (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        const code = error.code ?? error.message;
        for (const c of [result, counts]) c.errors[code] = (c.errors[code] ?? 0) + 1;
        resolve();
      };
      const headers: http.OutgoingHttpHeaders = {};
      if (spec.body !== undefined) {
        headers["content-type"] = spec.contentType ?? "text/plain";
        headers["content-length"] = Buffer.byteLength(spec.body);
      }
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          method: spec.method,
          path: spec.path,
          headers,
          agent,
          timeout: REQUEST_TIMEOUT_MS,
        },
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
            for (const c of [result, counts]) {
              c.answered++;
              c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
            }
            onAnswer?.({ at: Date.now(), method: spec.method, status, headers: res.headers });
            resolve();
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("no answer in time"), { code: "ETIMEDOUT" })),
      );
      req.on("error", fail);
      req.end(spec.body);
    });

  const loops = Array.from({ length: connections }, async (_, i) => {
    const spec = specs[i % specs.length];
    while (spec && !stopping) await once(spec);
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
