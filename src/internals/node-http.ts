// node:http keeps the response a connection is answering as `socket._httpMessage`, whether a
// response closes its connection as `res._last`, and a response's headers as `res[kOutHeaders]`,
// none in @types/node. test/internals/node-http.test.ts holds the shape relied on here.
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";

/** The response `socket` is writing now (pipelined requests queue behind it), if any. */
export function inFlightResponse(socket: Socket): ServerResponse | undefined {
  const message: unknown = Reflect.get(socket, "_httpMessage");
  return message instanceof ServerResponse ? message : undefined;
}

/** True when `res`'s headers said `Connection: close` (node:http's `res._last`): no answer follows it. */
export function isLastResponse(res: ServerResponse): boolean {
  return Reflect.get(res, "_last") === true;
}

/** node:http's table of the headers set on a response: lower-case name → [name as set, value]. */
const kOutHeaders = Object.getOwnPropertySymbols(
  new ServerResponse(new IncomingMessage(new Socket())),
).find((symbol) => symbol.description === "kOutHeaders");

/** One header for presetHeaders: its lower-case name, its name and its value, checked once. */
export type PresetHeader = readonly [lower: string, name: string, value: string];

/**
 * Sets `headers` on `res` as one setHeader each would, storing them straight into node:http's
 * table when `res` has no header yet (setHeader's checks of each name and value, already made
 * once by the caller, are then not repeated per response); one setHeader each otherwise.
 */
export function presetHeaders(res: ServerResponse, headers: readonly PresetHeader[]): void {
  if (kOutHeaders !== undefined && Reflect.get(res, kOutHeaders) === null && !res.headersSent) {
    // A literal, as node:http makes it: Object.create(null) would start in dictionary mode.
    const table = { __proto__: null } as unknown as Record<string, [string, string]>;
    for (let i = 0; i < headers.length; i++) table[headers[i][0]] = [headers[i][1], headers[i][2]];
    Reflect.set(res, kOutHeaders, table);
    return;
  }
  for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][1], headers[i][2]);
}
