/**
 * The second argument of an edge pages route, `event`: `waitUntil(promise)` keeps work going after
 * the response (the server waits for it before it exits, up to SHUTDOWN_TIMEOUT_MS).
 */
export class NextFetchEvent {
  readonly sourcePage: string;
  private readonly pending: Promise<unknown>[] = [];

  constructor(params: { page: string }) {
    this.sourcePage = params.page;
  }

  waitUntil(promise: Promise<unknown>): void {
    this.pending.push(Promise.resolve(promise));
  }

  /** What `waitUntil` was given, for the runner to await and log. */
  get waitUntilPromises(): readonly Promise<unknown>[] {
    return this.pending;
  }

  /** Next's old API, removed for edge API routes (PageSignatureError there too). */
  respondWith(): never {
    throw new Error("event.respondWith() is not supported: return a Response from the handler");
  }

  passThroughOnException(): void {
    // Next's no-op outside Vercel.
  }
}
