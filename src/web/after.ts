import { currentWebRequestStore } from "./request-store";

/**
 * next/server `after()`: runs `task` (a function or a promise) once the response has been sent.
 * A failure is logged with the request's id; it never reaches the client.
 */
export function after(task: (() => unknown) | PromiseLike<unknown>): void {
  const store = currentWebRequestStore("after");
  store.afterTasks.push(typeof task === "function" ? task : () => task);
}

/** next/server `connection()`: in a standalone server every request is already dynamic. */
export function connection(): Promise<void> {
  return Promise.resolve();
}
