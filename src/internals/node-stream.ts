// node:stream's isDisturbed, which takes Web streams too (Node 16.8+) while @types/node declares
// it for Node's streams only. test/internals/node-stream.test.ts holds the shape relied on here.
import * as streams from "node:stream";
import { Readable } from "node:stream";

const nodeIsDisturbed: unknown = Reflect.get(streams, "isDisturbed");

/** True once `stream` has been read from or cancelled (what makes a body "used"). */
export function isDisturbed(stream: ReadableStream): boolean {
  if (typeof nodeIsDisturbed !== "function")
    throw new TypeError("node:stream has no isDisturbed: a Node.js nextpress does not know");
  return nodeIsDisturbed(stream) === true;
}

/**
 * Makes `stream` (a request whose bytes were already read) read `body` anew: every later reader (a
 * body parser, a handler's stream) reads them as if they had just arrived. As Next does in
 * server/body-streams.ts (replaceRequestBody): every enumerable member of a fresh Readable holding
 * `body` is put on `stream`, its methods bound to the fresh one, so `stream` reads, pipes and emits
 * through it. (Swapping `_readableState` alone works on Node 24 but hangs on Node 22.)
 */
export function replaceReadableBody(stream: Readable, body: Buffer): void {
  const fresh = new Readable({ read() {} });
  fresh.push(body);
  fresh.push(null);
  for (const key in fresh) {
    const value: unknown = Reflect.get(fresh, key);
    Reflect.set(stream, key, typeof value === "function" ? value.bind(fresh) : value);
  }
  // `for await (const chunk of req)`: a symbol, which for…in does not list.
  stream[Symbol.asyncIterator] = fresh[Symbol.asyncIterator].bind(fresh);
}
