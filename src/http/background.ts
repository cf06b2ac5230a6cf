/**
 * Work a request started and left running after its response (`after()`, an edge route's
 * `event.waitUntil()`): the server waits for it before the process exits, within its shutdown
 * timeout, so that a deploy does not cut it off.
 */
const pending = new Set<Promise<unknown>>();

export function trackBackground(work: Promise<unknown>): void {
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  pending.add(settled);
  void settled.then(() => pending.delete(settled));
}
