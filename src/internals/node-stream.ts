// node:stream's isDisturbed, which takes Web streams too (Node 16.8+) while @types/node declares
// it for Node's streams only. test/internals/node-stream.test.ts holds the shape relied on here.
import * as streams from "node:stream";

const nodeIsDisturbed: unknown = Reflect.get(streams, "isDisturbed");

/** True once `stream` has been read from or cancelled (what makes a body "used"). */
export function isDisturbed(stream: ReadableStream): boolean {
  if (typeof nodeIsDisturbed !== "function")
    throw new TypeError("node:stream has no isDisturbed: a Node.js nextpress does not know");
  return nodeIsDisturbed(stream) === true;
}
