import type { RequestCookie, ResponseCookie } from "@edge-runtime/cookies";
import { currentWebRequestStore, type DraftModeProvider } from "./request-store";

const READONLY_MESSAGE =
  "Headers cannot be modified. Read more: https://nextjs.org/docs/app/api-reference/functions/headers";

/** `headers()`: the request's headers, read-only, as Next's ReadonlyHeaders. */
export class ReadonlyHeaders extends Headers {}
for (const name of ["append", "set", "delete"]) {
  // Headers' types declare these as properties: defined on the prototype rather than as methods.
  Object.defineProperty(ReadonlyHeaders.prototype, name, {
    value() {
      throw new Error(READONLY_MESSAGE);
    },
    writable: true,
    configurable: true,
  });
}

/** `await headers()` is the Next 15+ form; the object's own methods also work without `await`, as Next 15 allowed. */
function promiseWith<T extends object>(value: T): Promise<T> & T {
  const promise = Promise.resolve(value) as Promise<T> & T;
  let target: object | null = value;
  while (target && target !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(target)) {
      if (name === "constructor" || name in promise) continue;
      const descriptor = Object.getOwnPropertyDescriptor(target, name);
      // defineProperty returns the promise itself: nothing to await.
      if (typeof descriptor?.value === "function")
        void Object.defineProperty(promise, name, {
          value: (descriptor.value as (...args: unknown[]) => unknown).bind(value),
        });
    }
    target = Object.getPrototypeOf(target) as object | null;
  }
  return promise;
}

/** next/headers `headers()`. */
export function headers(): Promise<ReadonlyHeaders> & ReadonlyHeaders {
  const store = currentWebRequestStore("headers");
  store.onDynamicUse("headers");
  return promiseWith(new ReadonlyHeaders(store.request.headers));
}

/** What `cookies()` returns in a route handler: readable, and `set`/`delete` become `Set-Cookie` on the response. */
export class RouteCookies {
  constructor(private readonly store: ReturnType<typeof currentWebRequestStore>) {}

  get size(): number {
    return this.store.cookieView.getAll().length;
  }
  /** As Next's: the request's cookies are response cookies here (`path: "/"`), a deleted one is expired and empty. */
  get(...args: [name: string] | [RequestCookie]): ResponseCookie | undefined {
    return this.store.cookieView.get(...args);
  }
  getAll(...args: [name: string] | [RequestCookie] | []): ResponseCookie[] {
    return this.store.cookieView.getAll(...args);
  }
  has(name: string): boolean {
    return this.store.cookieView.has(name);
  }
  set(
    ...args:
      [key: string, value: string, cookie?: Partial<ResponseCookie>] | [options: ResponseCookie]
  ): this {
    this.store.responseCookies.set(...args);
    const set = this.store.responseCookies.get(
      typeof args[0] === "string" ? args[0] : args[0].name,
    );
    if (set) this.store.cookieView.set({ ...set });
    return this;
  }
  delete(...args: [key: string] | [options: Omit<ResponseCookie, "value" | "expires">]): this {
    this.store.responseCookies.delete(...args);
    this.store.cookieView.delete(...args);
    return this;
  }
  toString(): string {
    return this.store.cookieView.toString();
  }
  *[Symbol.iterator](): IterableIterator<[string, ResponseCookie]> {
    for (const cookie of this.store.cookieView.getAll()) yield [cookie.name, cookie];
  }
}

/** next/headers `cookies()`. */
export function cookies(): Promise<RouteCookies> & RouteCookies {
  const store = currentWebRequestStore("cookies");
  store.onDynamicUse("cookies");
  return promiseWith(new RouteCookies(store));
}

/** next/headers `draftMode()`. */
export function draftMode(): Promise<DraftModeProvider> & DraftModeProvider {
  const store = currentWebRequestStore("draftMode");
  const provider = store.draftMode;
  const view = {
    get isEnabled() {
      return provider.isEnabled;
    },
    enable: () => provider.enable(),
    disable: () => provider.disable(),
  };
  return Object.assign(Promise.resolve(view), view);
}
