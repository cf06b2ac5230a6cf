import type { Readable } from "node:stream";
import v8 from "node:v8";
import vm from "node:vm";

/** A young-generation collection every this many bytes read, over all uploads to disk together. */
const EVERY_BYTES = 8 * 1024 * 1024;

/** Bytes read by uploads to disk since the last collection: counted per process, not per body. */
let readSinceGc = 0;

type MinorGc = (options: { type: "minor" }) => void;

let collect: MinorGc | null | undefined;

/** V8's `gc`, taken once without `--expose-gc` (the flag is set for one new context, then unset). */
function minorGc(): MinorGc | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString("--expose-gc");
    collect = (vm.runInNewContext("gc") as MinorGc | undefined) ?? null;
  } catch {
    collect = null;
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
  }
  return collect;
}

/**
 * Frees the socket's read buffers of a long upload as it goes. Each chunk the socket reads is a new
 * buffer outside V8's heap that is garbage once written to disk, but V8 collects such memory only
 * every 64 MB or so: without this, a 1 GiB upload to disk raised RSS by ~70 MB. A minor collection
 * every 8 MiB read (well under a millisecond: only the young generation) keeps it to a few MB.
 * The count is the process's: ten uploads of 2 MiB each never reached 8 MiB apiece, and their
 * buffers piled up until V8 ran full mark-compacts (10–30 ms each) in the middle of them.
 * `body` must already be piped (a `data` listener would start it flowing otherwise).
 */
export function releaseReadBuffers(body: Readable): void {
  const gc = minorGc();
  if (!gc) return;
  body.on("data", (chunk: Buffer) => {
    readSinceGc += chunk.length;
    if (readSinceGc < EVERY_BYTES) return;
    readSinceGc = 0;
    gc({ type: "minor" });
  });
}
