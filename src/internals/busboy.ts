// @fastify/busboy's multipart parser (Dicer) and its part-header parser, not in its types: nextpress
// wraps the header parser to count a part's header bytes (busboy drops what passes headerSize
// silently). test/internals/busboy.test.ts holds the shape relied on here.
import type { EventEmitter } from "node:events";
import type { BusboyInstance } from "@fastify/busboy";

/** Busboy's parser of one part's header block. */
export interface PartHeaderParser {
  push(data: Buffer): number | undefined;
  reset(): void;
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/** The multipart parser of a `multipart/form-data` busboy (it emits `part`) and its header parser. */
export function partHeaderParser(busboy: BusboyInstance): {
  dicer: EventEmitter;
  parser: PartHeaderParser;
} {
  const type: unknown = Reflect.get(busboy, "_parser");
  const dicer: unknown = isObject(type) ? Reflect.get(type, "parser") : undefined;
  const parser: unknown = isObject(dicer) ? Reflect.get(dicer, "_hparser") : undefined;
  if (!isEmitter(dicer) || !isHeaderParser(parser))
    throw new TypeError("@fastify/busboy's part parser is not where nextpress looks");
  return { dicer, parser };
}

function isEmitter(value: unknown): value is EventEmitter {
  return isObject(value) && typeof Reflect.get(value, "on") === "function";
}

function isHeaderParser(value: unknown): value is PartHeaderParser {
  return (
    isObject(value) &&
    typeof Reflect.get(value, "push") === "function" &&
    typeof Reflect.get(value, "reset") === "function"
  );
}
