/** A number of events allowed per fixed window: `100/1m` is 100 per minute. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
  /** As written, `100/1m`: repeated in messages and in the route table. */
  readonly text: string;
}

const RATE_TEXT = /^(\d+) *\/ *(\d*) *(s|m|h)$/i;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };
/** setTimeout's limit, which express-rate-limit's memory store uses for its window. */
const MAX_WINDOW_MS = 2 ** 31 - 1;

export const RATE_MESSAGE =
  'expected requests per window such as "100/1m", "10/30s" or "1000/1h" (units s, m, h)';

/**
 * `"100/1m"` → 100 per 60,000 ms (`"100/m"` too); undefined for anything else, a limit of 0 or a
 * window over about 24 days included.
 */
export function parseRate(value: string): Rate | undefined {
  const match = RATE_TEXT.exec(value.trim());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowMs = Number(match[2] || "1") * UNIT_MS[match[3].toLowerCase()];
  if (limit < 1 || windowMs < 1 || windowMs > MAX_WINDOW_MS || !Number.isSafeInteger(limit))
    return undefined;
  return Object.freeze({
    limit,
    windowMs,
    text: `${limit}/${match[2] || "1"}${match[3].toLowerCase()}`,
  });
}
