/** How a process that keeps dying soon after it started is replaced: the WORKERS primary's and the dev supervisor's. */
export interface RestartPolicy {
  /** A process that ran this long before it died was not crash-looping: its replacement starts at once. */
  readonly stableUptimeMs: number;
  /** How many quick deaths in a row are replaced at once before the brake holds. */
  readonly freeQuickDeaths: number;
  /** The first wait; it doubles with each quick death after. */
  readonly firstDelayMs: number;
  /** The longest wait between two replacements. */
  readonly maxDelayMs: number;
}

/** The WORKERS primary: a worker that lived 10 s was fine; the first quick death is replaced at once. */
export const WORKER_RESTARTS: RestartPolicy = Object.freeze({
  stableUptimeMs: 10_000,
  freeQuickDeaths: 1,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
});

/** How many processes in a row died within the policy's stable uptime of their start. */
export interface RestartBrake {
  readonly quickDeaths: number;
}

export const initialBrake: RestartBrake = Object.freeze({ quickDeaths: 0 });

/**
 * When to replace a process that died after running `uptimeMs`: at once when it had been running
 * for a while, or while quick deaths are still free; then after 1 s, 2 s, 4 s … up to the
 * policy's maximum while processes keep dying soon after they start, so that a crash loop does
 * not take the CPU the living ones need. Pure: the caller keeps the returned brake for the next
 * death.
 *
 * @example
 * nextRestart(initialBrake, 60_000); // { delayMs: 0, brake: { quickDeaths: 0 } }
 */
export function nextRestart(
  brake: RestartBrake,
  uptimeMs: number,
  policy: RestartPolicy = WORKER_RESTARTS,
): { delayMs: number; brake: RestartBrake } {
  if (uptimeMs >= policy.stableUptimeMs) return { delayMs: 0, brake: initialBrake };
  const quickDeaths = brake.quickDeaths + 1;
  const braked = quickDeaths - policy.freeQuickDeaths;
  const delayMs =
    braked <= 0 ? 0 : Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (braked - 1));
  return { delayMs, brake: { quickDeaths } };
}

/** `nextpress dev`: a worker that crashes within 2 s of serving (a timer that throws) waits 1 s, 2 s, 4 s … */
export const DEV_RESTARTS: RestartPolicy = Object.freeze({
  stableUptimeMs: 2_000,
  freeQuickDeaths: 0,
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
});
