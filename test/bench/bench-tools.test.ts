// The bench's own logic, in process: its command line, the retry of a failed load run, the
// --compare table. (The load runs themselves need a quiet machine: `npm run bench`.)

interface LoadResult {
  requestsPerSec: number;
  requests: number;
  non2xx: number;
  errors: string;
}
interface Side {
  value: number;
  cpu?: number;
  failed?: string;
}
interface Row {
  label: string;
  unit: string;
  cpuUnit?: string;
  higherIsBetter: boolean;
  base: Side;
  head: Side;
}
/* eslint-disable @typescript-eslint/no-require-imports -- the bench is CommonJS */
const { parseBenchArgs } = require("../../bench/args.js") as {
  parseBenchArgs: (argv: string[]) => Record<string, unknown>;
};
const { runWithRetry } = require("../../bench/retry.js") as {
  runWithRetry: (
    run: (attempt: number) => Promise<LoadResult>,
    options?: { attempts?: number; onRetry?: (attempt: number, problem: string) => void },
  ) => Promise<{ result?: LoadResult; attempts: number; problems: string[] }>;
};
const { compareRow, renderCompareTable } = require("../../bench/ratio-table.js") as {
  compareRow: (row: Row) => Row & { ratio: number; better: boolean | undefined };
  renderCompareTable: (base: string, head: string, rows: Row[]) => string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const ok = (requests = 1000): LoadResult => ({
  requestsPerSec: requests / 2,
  requests,
  non2xx: 0,
  errors: "",
});

describe("bench command line", () => {
  it.each([
    [[], { quick: false, strict: false }],
    [["--quick"], { quick: true, strict: false }],
    [
      ["--compare", "main", "--rounds", "2", "--seconds", "1.5"],
      { quick: false, strict: false, compare: "main", rounds: 2, seconds: 1.5 },
    ],
    [
      ["--only", "hello,start-js", "--report", "out.md", "--strict"],
      { quick: false, strict: true, only: ["hello", "start-js"], report: "out.md" },
    ],
  ])("%j → %j", (argv, expected) => expect(parseBenchArgs(argv)).toEqual(expected));

  it.each([
    [["--compare"], /--compare needs a value: --compare <git-ref>/],
    [["--compare", "--quick"], /--compare needs a value/],
    [["--rounds", "0"], /--rounds needs a positive number/],
    [["--seconds", "soon"], /--seconds needs a positive number/],
    [["--fast"], /unknown option --fast/],
  ])("refuses %j", (argv, message) => expect(() => parseBenchArgs(argv)).toThrow(message));
});

describe("a load run that fails", () => {
  it("is retried after a timeout, and the retry's result is used", async () => {
    const retries: string[] = [];
    const runs = [
      () => Promise.reject(new Error("spawnSync wrk ETIMEDOUT\nmore")),
      () => Promise.resolve(ok(500)),
    ];
    const outcome = await runWithRetry((attempt) => runs[attempt - 1](), {
      onRetry: (attempt, problem) => retries.push(`${attempt}: ${problem}`),
    });
    expect(outcome).toEqual({
      result: ok(500),
      attempts: 2,
      problems: ["spawnSync wrk ETIMEDOUT"],
    });
    expect(retries).toEqual(["1: spawnSync wrk ETIMEDOUT"]);
  });

  it("is retried when answers were not 2xx or requests timed out", async () => {
    const results = [
      { ...ok(), non2xx: 3 },
      { ...ok(), errors: "connect 0, read 0, write 0, timeout 12" },
      ok(),
    ];
    const outcome = await runWithRetry((attempt) => Promise.resolve(results[attempt - 1]));
    expect(outcome.result).toEqual(ok());
    expect(outcome.problems).toEqual([
      "3 non-2xx answers",
      "errors: connect 0, read 0, write 0, timeout 12",
    ]);
  });

  it("is marked failed, without throwing, when every attempt fails", async () => {
    let calls = 0;
    const outcome = await runWithRetry(
      () => {
        calls++;
        return Promise.resolve({ ...ok(), requests: 0 });
      },
      { attempts: 3 },
    );
    expect(calls).toBe(3);
    expect(outcome.result).toBeUndefined();
    expect(outcome.problems).toEqual(Array(3).fill("no request completed"));
  });
});

describe("the --compare table", () => {
  const rows: Row[] = [
    {
      label: "GET /api/hello",
      unit: "req/s",
      cpuUnit: "µs/request",
      higherIsBetter: true,
      base: { value: 10000, cpu: 80 },
      head: { value: 12500, cpu: 64 },
    },
    {
      label: "start-up, 1,000 compiled .js",
      unit: "ms",
      cpuUnit: "ms",
      higherIsBetter: false,
      base: { value: 1200, cpu: 1000 },
      head: { value: 900, cpu: 700 },
    },
    {
      label: "POST /api/users",
      unit: "req/s",
      cpuUnit: "µs/request",
      higherIsBetter: true,
      base: { value: 9000, cpu: 90 },
      head: { value: 0, failed: "timeout 50" },
    },
  ];

  it("gives head / base per row, and whether that is better by the row's own measure", () => {
    expect(compareRow(rows[0])).toMatchObject({ ratio: 1.25, better: true });
    expect(compareRow(rows[1])).toMatchObject({ ratio: 0.75, better: true });
    expect(compareRow(rows[2]).ratio).toBeNaN();
  });

  it("prints each side, the ratio and the server CPU per request", () => {
    expect(renderCompareTable("main", "perf", rows).split("\n")).toEqual([
      "| scenario | main | perf | perf / main | server CPU main → perf |",
      "|---|---|---|---|---|",
      "| GET /api/hello | 10000 req/s | 12500 req/s | 1.25x | 80.0 → 64.0 µs/request (0.80x) |",
      "| start-up, 1,000 compiled .js | 1200 ms | 900 ms | 0.75x | 1000.0 → 700.0 ms (0.70x) |",
      "| POST /api/users | 9000 req/s | FAILED (timeout 50) | -x | 90.0 → - µs/request (-x) |",
    ]);
  });
});
