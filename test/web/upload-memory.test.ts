import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { PassThrough, Writable } from "node:stream";
import { releaseReadBuffers } from "../../src/web/upload-memory";

// The young-generation collections that free the socket's read buffers of uploads to disk: one
// every 8 MiB read by all of them together, seen as V8's forced minor collections.

const MIB = 1024 * 1024;

interface GcDetail {
  kind: number;
  flags: number;
}

/** Forced minor collections while `run` goes on (V8 reports them after the fact). */
async function forcedMinorGcs(run: () => Promise<void>): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    // A "gc" entry's detail (untyped in @types/node): https://nodejs.org/api/perf_hooks.html#garbage-collection-gc-details
    for (const entry of list.getEntries() as Array<PerformanceEntry & { detail: GcDetail }>) {
      const { kind, flags } = entry.detail;
      const forced = (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR && forced) count++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    observer.disconnect();
  }
  return count;
}

/** A body piped as readMultipart pipes it, watched by releaseReadBuffers. */
function watchedBody(): PassThrough {
  const body = new PassThrough();
  body.pipe(new Writable({ write: (_chunk, _encoding, done) => done() }));
  releaseReadBuffers(body);
  return body;
}

/** Sends `bytes` through each of `bodies` in 64 KiB chunks, as sockets read them. */
async function sendEach(bodies: PassThrough[], bytes: number): Promise<void> {
  await Promise.all(bodies.map((body) => send(body, bytes)));
}

/** Sends `bytes` through `body` in 64 KiB chunks, as a socket reads them. */
async function send(body: PassThrough, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!body.write(chunk)) await new Promise((resolve) => body.once("drain", resolve));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

it("collects once all uploads together pass 8 MiB, though none of them does alone", async () => {
  const bodies = Array.from({ length: 5 }, watchedBody);
  // 5 × 1.5 MiB = 7.5 MiB: not yet.
  expect(await forcedMinorGcs(() => sendEach(bodies, 1.5 * MIB))).toBe(0);
  // 1 MiB more, over two of them: 8.5 MiB in all.
  expect(await forcedMinorGcs(() => sendEach(bodies.slice(0, 2), 0.5 * MIB))).toBe(1);
  for (const body of bodies) body.end();
});

it("collects every 8 MiB of one long upload", async () => {
  const body = watchedBody();
  // 0.5 MiB left over from the test above, then 16 MiB.
  expect(await forcedMinorGcs(() => send(body, 16 * MIB))).toBe(2);
  body.end();
});
