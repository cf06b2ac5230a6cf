// node:http keeps the response a connection is answering as `socket._httpMessage`, not in
// @types/node. test/internals/node-http.test.ts holds the shape relied on here.
import { ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** The response `socket` is writing now (pipelined requests queue behind it), if any. */
export function inFlightResponse(socket: Socket): ServerResponse | undefined {
  const message: unknown = Reflect.get(socket, "_httpMessage");
  return message instanceof ServerResponse ? message : undefined;
}
