import http from "node:http";
import { Duplex } from "node:stream";

/** A request sent through the app's own handler, without a port. */
export interface InternalRequest {
  method: string;
  /** Path and query, e.g. `/api/users/1?x=y`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The address the real client came from: rate limits and logs see it, as they would over HTTP. */
  remoteAddress: string | undefined;
}

export interface InternalResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Two streams wired to each other, a connection without a socket: what one writes the other reads. */
function connectionPair(remoteAddress: string | undefined): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const end = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        other().push(chunk);
        callback();
      },
      final(callback) {
        other().push(null);
        callback();
      },
    });
  ends.push(
    end(() => ends[1]),
    end(() => ends[0]),
  );
  Object.assign(ends[1], { remoteAddress: remoteAddress ?? "127.0.0.1", remotePort: 0 });
  return [ends[0], ends[1]];
}

/**
 * Sends a request through `server`'s request handler over an in-memory connection: the same
 * HTTP parsing, limits, middleware, authentication, rate limits and validation as a request
 * from the network. `server` never listens.
 */
export function sendInternalRequest(
  server: http.Server,
  request: InternalRequest,
  signal?: AbortSignal,
): Promise<InternalResponse> {
  const [client, serverSide] = connectionPair(request.remoteAddress);
  server.emit("connection", serverSide);
  return new Promise<InternalResponse>((resolve, reject) => {
    const outgoing = http.request({
      method: request.method,
      path: request.path,
      headers: { ...request.headers, host: "localhost", connection: "close" },
      createConnection: () => client as never,
      signal,
    });
    outgoing.once("error", reject);
    outgoing.once("response", (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.once("error", reject);
      incoming.once("end", () =>
        resolve({
          status: incoming.statusCode ?? 500,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    outgoing.end(request.body);
  }).finally(() => {
    client.destroy();
    serverSide.destroy();
  });
}
