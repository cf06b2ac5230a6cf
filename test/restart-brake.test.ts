import {
  DEV_RESTARTS,
  initialBrake,
  nextRestart,
  WORKER_RESTARTS,
  type RestartBrake,
  type RestartPolicy,
} from "../src/restart-brake";

const STABLE_UPTIME_MS = WORKER_RESTARTS.stableUptimeMs;
const MAX_DELAY_MS = WORKER_RESTARTS.maxDelayMs;

/** The delays for workers that each died after `uptimes` ms, in order. */
function delaysFor(uptimes: number[], policy: RestartPolicy = WORKER_RESTARTS): number[] {
  let brake: RestartBrake = initialBrake;
  return uptimes.map((uptime) => {
    const next = nextRestart(brake, uptime, policy);
    brake = next.brake;
    return next.delayMs;
  });
}

describe("the restart brake", () => {
  it("replaces a worker that had been running for a while at once, every time", () => {
    expect(delaysFor([STABLE_UPTIME_MS, 60_000, STABLE_UPTIME_MS * 3])).toEqual([0, 0, 0]);
  });

  it("replaces the first quick death at once, then waits 1 s, 2 s, 4 s … while workers keep dying soon after they start", () => {
    expect(delaysFor([50, 50, 50, 50, 50])).toEqual([0, 1000, 2000, 4000, 8000]);
  });

  it("never waits longer than 30 s", () => {
    const delays = delaysFor(Array.from({ length: 20 }, () => 10));
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS);
    expect(delays.at(-1)).toBe(MAX_DELAY_MS);
  });

  it("forgets the crash loop once a worker has run for STABLE_UPTIME_MS", () => {
    expect(delaysFor([50, 50, 50, STABLE_UPTIME_MS, 50, 50])).toEqual([0, 1000, 2000, 0, 0, 1000]);
  });

  it("brakes the dev server's worker from its first quick crash: 1 s, 2 s, 4 s …, at once after 2 s of serving", () => {
    expect(delaysFor([50, 50, 50, 2000, 1999], DEV_RESTARTS)).toEqual([1000, 2000, 4000, 0, 1000]);
  });
});
