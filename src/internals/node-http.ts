// node:http keeps the response a connection is answering as `socket._httpMessage`, and whether a
// response closes its connection as `res._last`, neither in @types/node. test/internals/node-http.test.ts holds the shape relied on here.
import { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** The response `socket` is writing now (pipelined requests queue behind it), if any. */
export function inFlightResponse(socket: Socket): ServerResponse | undefined {
  const message: unknown = Reflect.get(socket, "_httpMessage");
  return message instanceof ServerResponse ? message : undefined;
}

/** True when `res`'s headers said `Connection: close` (node:http's `res._last`): no answer follows it. */
export function isLastResponse(res: ServerResponse): boolean {
  return Reflect.get(res, "_last") === true;
}
