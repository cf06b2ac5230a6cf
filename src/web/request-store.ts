import { AsyncLocalStorage } from "node:async_hooks";
import { RequestCookies, ResponseCookies } from "@edge-runtime/cookies";
import type { NextRequest } from "./next-request";

export interface DraftModeProvider {
  readonly isEnabled: boolean;
  enable(): void;
  disable(): void;
}

const NO_COOKIES: readonly string[] = Object.freeze([]);

/**
 * What `headers()`, `cookies()`, `draftMode()` and `after()` from next/headers and next/server
 * reach while a Web route runs: its request, the cookies it sets (appended to whatever response it
 * returns, redirects included), the work it defers. One per request, on an AsyncLocalStorage;
 * each part made on first use.
 */
export class WebRequestStore {
  /** Work for after the response (`after()`), run by the route runner. */
  readonly afterTasks: (() => unknown)[] = [];
  private cookieLines: ResponseCookies | undefined;
  private setCookies: Headers | undefined;
  private view: ResponseCookies | undefined;

  constructor(
    readonly request: NextRequest,
    /** Told when the handler reads request data (`headers()`, `cookies()`): `dynamic = "error"` throws. */
    readonly onDynamicUse: (what: string) => void,
    private readonly makeDraftMode: (store: WebRequestStore) => DraftModeProvider,
  ) {}

  /** The `Set-Cookie` lines `cookies().set/delete` asked for. */
  get responseCookies(): ResponseCookies {
    return (this.cookieLines ??= new ResponseCookies((this.setCookies = new Headers())));
  }

  /**
   * `cookies()` as the handler sees it: the request's, with its own changes applied. Next's is a
   * ResponseCookies filled from the request's (MutableRequestCookiesAdapter.wrap in
   * server/web/spec-extension/adapters/request-cookies.ts): each entry carries `path: "/"`.
   */
  get cookieView(): ResponseCookies {
    if (!this.view) {
      const header = this.request.headers.get("cookie");
      this.view = new ResponseCookies(new Headers());
      if (header)
        for (const cookie of new RequestCookies(new Headers({ cookie: header })).getAll())
          this.view.set(cookie);
    }
    return this.view;
  }

  /** Set-Cookie lines to add to the response, if `cookies()` changed any. */
  setCookieLines(): readonly string[] {
    return this.setCookies ? this.setCookies.getSetCookie() : NO_COOKIES;
  }

  private draft: DraftModeProvider | undefined;
  get draftMode(): DraftModeProvider {
    return (this.draft ??= this.makeDraftMode(this));
  }
}

// A global, so that a second copy of this module (a route importing the shim from another path)
// shares the one store the runner fills.
const kStorage = Symbol.for("nextpress.webRequestStorage");
const storage: AsyncLocalStorage<WebRequestStore> = ((globalThis as Record<symbol, unknown>)[
  kStorage
] ??= new AsyncLocalStorage<WebRequestStore>()) as AsyncLocalStorage<WebRequestStore>;

export function runWithWebRequestStore<T>(store: WebRequestStore, fn: () => T): T {
  return storage.run(store, fn);
}

/** Whether a Web route's handler (or work it started) is running now. */
export function insideWebRequest(): boolean {
  return storage.getStore() !== undefined;
}

/** The store of the Web route running now; `what` names the caller in the error outside one. */
export function currentWebRequestStore(what: string): WebRequestStore {
  const store = storage.getStore();
  if (!store)
    throw new Error(
      `\`${what}\` was called outside a request scope: call it inside a route handler (app/**/route.ts) while it handles a request`,
    );
  return store;
}
