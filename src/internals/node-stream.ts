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
 * Gives `stream` (a request whose bytes were already read) a fresh readable state holding `body`,
 * so every later reader (a body parser, a handler's stream) reads them as if they had just arrived;
 * its listeners stay. Next does the same in server/body-streams.ts (replaceRequestBody) when a
 * middleware read the body. Relies on Readable keeping all its reading state in `_readableState`.
 */
export function replaceReadableBody(stream: Readable, body: Buffer): void {
  const fresh = new Readable({ read() {} });
  fresh.push(body);
  fresh.push(null);
  const state: unknown = Reflect.get(fresh, "_readableState");
  if (typeof state !== "object" || state === null)
    throw new TypeError(
      "node:stream's Readable has no _readableState: a Node.js nextpress does not know",
    );
  Object.assign(stream, { _readableState: state, _read() {} });
}
