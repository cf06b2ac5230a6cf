import pino from "pino";
import {
  createBatchedDestination,
  HAND_OVER_MS,
  type LineTarget,
} from "../../src/http/log-destination";

/** A target that keeps each write it is handed, and counts flushes. */
function recorder(): LineTarget & { writes: string[]; flushes: number } {
  const target = {
    writes: [] as string[],
    flushes: 0,
    write(chunk: string) {
      target.writes.push(chunk);
    },
    flush(callback?: (error?: Error | null) => void) {
      target.flushes += 1;
      callback?.();
    },
    flushSync() {
      target.flushes += 1;
    },
  };
  return target;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createBatchedDestination", () => {
  it("hands the lines written close together to its target as one write, in order", async () => {
    const target = recorder();
    const logger = pino({ base: undefined }, createBatchedDestination(target));
    logger.info("one");
    logger.warn({ n: 2 }, "two");
    logger.info("three");
    expect(target.writes).toEqual([]);
    await sleep(HAND_OVER_MS + 200);
    expect(target.writes).toHaveLength(1);
    const lines = target.writes[0]
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line: { msg: string }) => line.msg)).toEqual(["one", "two", "three"]);
  });

  it("hands the lines over at once on logger.flush(), then flushes the target", () => {
    const target = recorder();
    const logger = pino({ base: undefined }, createBatchedDestination(target));
    logger.info("before the flush");
    logger.flush();
    expect(target.writes).toHaveLength(1);
    expect(target.writes[0]).toContain('"msg":"before the flush"');
    expect(target.flushes).toBe(1);
  });

  it("hands the lines over without waiting once they pass 64 K characters", () => {
    const target = recorder();
    const destination = createBatchedDestination(target);
    const line = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < 63; i++) destination.write(line);
    expect(target.writes).toEqual([]);
    destination.write(line);
    expect(target.writes).toEqual([line.repeat(64)]);
    destination.flushSync();
  });
});
