import bytes from "bytes";

// `bytes.parse` reads "5 megabytes" as 5 and "-1mb" as a negative size: only its exact forms pass.
const SIZE_TEXT = /^(\d+(\.\d+)? *(kb|mb|gb|tb|pb)|\d+ *b?)$/i;

export const SIZE_MESSAGE = 'expected a size such as "1mb", "500kb" or a number of bytes';

/** A size as `bytes` writes it (`"1mb"`, `"500kb"`, `"100"`) or a whole number of bytes. */
export function isSize(value: unknown): value is string | number {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0;
  return typeof value === "string" && SIZE_TEXT.test(value.trim());
}

/** The number of bytes of a value that passed `isSize`. */
export function toBytes(value: string | number): number {
  const parsed = bytes.parse(value);
  if (parsed === null) throw new RangeError(`not a size: ${String(value)}`);
  return parsed;
}
