import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";

/** The app on a real port, for requests supertest cannot make (chunked uploads, open requests). */
export async function listen(app: Express): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RawRequest {
  port: number;
  path: string;
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  /** Written one by one, each after the previous drained; writing stops once a response arrives. */
  chunks?: readonly Buffer[];
  /** End the upload after the chunks (default true). `false` leaves a declared body unsent. */
  end?: boolean;
}

/**
 * One request on a fresh connection. Without Content-Length in `headers`, Node sends the chunks
 * with Transfer-Encoding: chunked. Write errors after the server answered (it may close the
 * connection on a 413) are ignored: the client keeps the answer, as a browser would.
 */
export function rawRequest({
  port,
  path,
  method = "POST",
  headers = {},
  chunks = [],
  end = true,
}: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ port, host: "127.0.0.1", path, method, headers, agent: false });
    req.on("response", (res) => {
      answered = true;
      const body: Buffer[] = [];
      res.on("data", (chunk: Buffer) => body.push(chunk));
      res.on("end", () => {
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? "",
          headers: res.headers,
          body: Buffer.concat(body),
        });
        req.destroy();
      });
      res.on("error", reject);
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    // Node holds the headers back until the first write; a request with no body yet must flush them.
    req.flushHeaders();
    void (async () => {
      for (const chunk of chunks) {
        if (answered || req.destroyed) return;
        if (!req.write(chunk)) {
          await new Promise<void>((resume) => {
            req.once("drain", resume);
            req.once("response", resume);
            req.once("close", resume);
          });
        }
      }
      if (end && !answered && !req.destroyed) req.end();
    })();
  });
}

/**
 * Sends a request and reports whether any response arrived within `ms`; the connection is then
 * dropped. For handlers that must leave the request open.
 */
export function respondsWithin(
  port: number,
  path: string,
  ms: number,
  headers: http.OutgoingHttpHeaders = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ port, host: "127.0.0.1", path, headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(false);
    }, ms);
    req.on("response", (res) => {
      clearTimeout(timer);
      res.resume();
      req.destroy();
      resolve(true);
    });
    req.on("error", () => undefined);
    req.end();
  });
}

/** `count` bytes of `fill`, split into 64 KiB chunks. */
export function chunksOf(count: number, fill = "a"): Buffer[] {
  const size = 64 * 1024;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < count; offset += size)
    chunks.push(Buffer.alloc(Math.min(size, count - offset), fill));
  return chunks;
}
