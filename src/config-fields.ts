/**
 * The readers the configuration table (config.ts) is built from: each turns one environment
 * variable's trimmed text into a typed value, or names every way the text is wrong.
 *
 * Not zod, on purpose: the configuration is read at every start, before anything else, and
 * loading zod and building a 45-key schema took 60–65 ms of a 490 ms start (1,000 routes with a
 * manifest, Node 24), a server with no validated route then paid for a library it never used. zod
 * still checks everything a route exports (`config`, segment options, `schema`), loaded with the
 * first route that has one. The messages and coercions below are the ones the zod schema gave
 * (`z.coerce.number`, `z.stringbool`, `z.enum`), kept by test/config.test.ts.
 */

/** Thrown by a parser: every way the text is wrong, in order. */
export class InvalidValue extends Error {
  constructor(readonly messages: readonly string[]) {
    super(messages.join("; "));
  }
}

/** Text → value, or throws InvalidValue. */
export type Parse<T> = (text: string) => T;

/** One variable: what it reads from its text, and what it is when unset (or empty). */
export interface Field<T> {
  read(text: string | undefined): T;
}

export function withDefault<T>(fallback: T, parse: Parse<T>): Field<T> {
  return { read: (text) => (text === undefined ? fallback : parse(text)) };
}

export function optional<T>(parse: Parse<T>): Field<T | undefined> {
  return { read: (text) => (text === undefined ? undefined : parse(text)) };
}

export const text: Parse<string> = (value) => value;

/** Throws `message` unless `test(value)`; the value is kept as written. */
export function refined(test: (value: string) => boolean, message: string): Parse<string> {
  return (value) => {
    if (!test(value)) throw new InvalidValue([message]);
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[], message: string): Parse<T> {
  return (value) => {
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) throw new InvalidValue([message]);
    return found;
  };
}

const TRUTHY = new Set(["true", "1", "yes", "on", "y", "enabled"]);
const FALSY = new Set(["false", "0", "no", "off", "n", "disabled"]);

/** `true`/`false`, `on`/`off`, `yes`/`no`, `1`/`0`, `y`/`n`, `enabled`/`disabled`, any case. */
export function flag(message: string): Parse<boolean> {
  return (value) => {
    const lower = value.toLowerCase();
    if (TRUTHY.has(lower)) return true;
    if (FALSY.has(lower)) return false;
    throw new InvalidValue([message]);
  };
}

interface NumberRules {
  /** The message for text that is not a finite number (`Number(text)`, so `0x10` and `1e3` count). */
  readonly expected: string;
  /** Set: the number must be a whole (safe) integer. */
  readonly whole?: string;
  readonly min?: readonly [number, string];
  readonly max?: readonly [number, string];
}

/** A number, every failed rule named. */
export function numberOf(rules: NumberRules): Parse<number> {
  return (value) => {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new InvalidValue([rules.expected]);
    const problems: string[] = [];
    if (rules.whole !== undefined && !Number.isSafeInteger(number)) problems.push(rules.whole);
    if (rules.min && number < rules.min[0]) problems.push(rules.min[1]);
    if (rules.max && number > rules.max[0]) problems.push(rules.max[1]);
    if (problems.length > 0) throw new InvalidValue(problems);
    return number;
  };
}

export type Values<Fields extends Record<string, Field<unknown>>> = {
  readonly [K in keyof Fields]: Fields[K] extends Field<infer T> ? T : never;
};

/**
 * Every field read from `present` (names to trimmed, non-empty text): the values, or the problems
 * as `NAME: message`, in the table's order.
 */
export function readFields<Fields extends Record<string, Field<unknown>>>(
  fields: Fields,
  present: Readonly<Record<string, string>>,
): { values: Values<Fields>; problems: Array<[name: string, message: string]> } {
  const values: Record<string, unknown> = {};
  const problems: Array<[string, string]> = [];
  for (const [name, field] of Object.entries(fields)) {
    try {
      values[name] = field.read(present[name]);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      for (const message of error.messages) problems.push([name, message]);
    }
  }
  // The casts' edge: every key of `fields` was read into `values` by its own field above.
  return { values: values as Values<Fields>, problems };
}
