/** A worker that ran this long before it died was not crash-looping: its replacement starts at once. */
export const STABLE_UPTIME_MS = 10_000;

/** The wait before the second quick replacement in a row; it doubles with each one after. */
const FIRST_DELAY_MS = 1_000;

/** The longest wait between two replacements. */
export const MAX_DELAY_MS = 30_000;

/** How many workers in a row died within STABLE_UPTIME_MS of their start. */
export interface RestartBrake {
  readonly quickDeaths: number;
}

export const initialBrake: RestartBrake = Object.freeze({ quickDeaths: 0 });

/**
 * When to replace a worker that died after running `uptimeMs`: at once when it had been running
 * for a while, or when it is the first quick death; then after 1 s, 2 s, 4 s … up to 30 s while
 * workers keep dying soon after they start, so that a crash loop does not take the CPU the
 * living workers need. Pure: the primary keeps the returned brake for the next death.
 *
 * @example
 * nextRestart(initialBrake, 60_000); // { delayMs: 0, brake: { quickDeaths: 0 } }
 */
export function nextRestart(
  brake: RestartBrake,
  uptimeMs: number,
): { delayMs: number; brake: RestartBrake } {
  if (uptimeMs >= STABLE_UPTIME_MS) return { delayMs: 0, brake: initialBrake };
  const quickDeaths = brake.quickDeaths + 1;
  const delayMs =
    quickDeaths === 1 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (quickDeaths - 2));
  return { delayMs, brake: { quickDeaths } };
}
