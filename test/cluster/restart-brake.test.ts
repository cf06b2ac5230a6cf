import {
  initialBrake,
  MAX_DELAY_MS,
  nextRestart,
  STABLE_UPTIME_MS,
  type RestartBrake,
} from "../../src/cluster/restart-brake";

/** The delays for workers that each died after `uptimes` ms, in order. */
function delaysFor(uptimes: number[]): number[] {
  let brake: RestartBrake = initialBrake;
  return uptimes.map((uptime) => {
    const next = nextRestart(brake, uptime);
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
});
