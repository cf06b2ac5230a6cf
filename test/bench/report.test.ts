import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../helpers/process";

interface BenchReport {
  date: string;
  machine: { cores: number; cpu: string; node: string; os: string };
  setup: string;
  throughput: { label: string; rps: number; p50: number; p99: number; cpuUs: number }[];
  targets: { label: string; measured: string; goal: string; pass: boolean }[];
  crud: { label: string; rps: number; p50: number; p99: number; rssMb: number }[];
  startup: { label: string; ms: number; rssMb: number }[];
  notes: string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bench is CommonJS
const { describeMachine, renderReport, writeReport } = require("../../bench/report.js") as {
  describeMachine: () => BenchReport["machine"];
  renderReport: (report: BenchReport) => string;
  writeReport: (file: string, report: BenchReport) => void;
};

const PERFORMANCE = path.join(PROJECT_ROOT, "docs", "performance.md");

const fakeRun: BenchReport = {
  date: "2031-02-03",
  machine: { cores: 64, cpu: "Example CPU 9000", node: "v24.99.0", os: "Debian GNU/Linux 13" },
  setup: "wrk, 5 rounds × 6 s per scenario in rotation, 50 connections; medians",
  throughput: [
    { label: "GET /api/hello, nextpress", rps: 123456.4, p50: 1.234, p99: 9.5, cpuUs: 12.34 },
  ],
  targets: [
    { label: "GET /api/hello vs bare Express", measured: "2.50x", goal: "≥ 1.2x", pass: true },
    { label: "p99 latency", measured: "1.50x", goal: "≤ 1x", pass: false },
  ],
  crud: [{ label: "embedded (PGlite in DATA_DIR)", rps: 1450, p50: 31.3, p99: 624, rssMb: 374 }],
  startup: [{ label: "the sample on PostgreSQL", ms: 298.2, rssMb: 72.44 }],
  notes: ["CRUD req/s, embedded vs PostgreSQL: 0.63x"],
};

describe("the bench's report (bench/report.js)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "bench-report-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the date, the machine and every table of a run", () => {
    const text = renderReport(fakeRun);
    expect(text).toContain(
      "**Run of 2031-02-03** on 64 cores (Example CPU 9000), Node v24.99.0, Debian GNU/Linux 13: wrk,",
    );
    expect(text).toContain("| GET /api/hello, nextpress | 123,456 | 1.23 | 9.50 | 12.3 µs |");
    expect(text).toContain("| GET /api/hello vs bare Express | 2.50x | ≥ 1.2x | PASS |");
    expect(text).toContain("| p99 latency | 1.50x | ≤ 1x | FAIL |");
    expect(text).toContain("| embedded (PGlite in DATA_DIR) | 1,450 | 31.30 | 624.00 | 374.0 MB |");
    expect(text).toContain("| the sample on PostgreSQL | 298 | 72.4 MB |");
    expect(text).toContain("- CRUD req/s, embedded vs PostgreSQL: 0.63x");
  });

  it("replaces only what lies between the markers of docs/performance.md, and again on the next run", () => {
    const file = path.join(dir, "performance.md");
    copyFileSync(PERFORMANCE, file);
    const before = readFileSync(file, "utf8");
    const start = before.indexOf("<!-- bench:start");
    const end = before.indexOf("<!-- bench:end -->") + "<!-- bench:end -->".length;

    writeReport(file, fakeRun);
    const after = readFileSync(file, "utf8");
    expect(after).toBe(before.slice(0, start) + renderReport(fakeRun) + before.slice(end));
    expect(after).not.toContain("**Run of 2026-11-29**");

    writeReport(file, { ...fakeRun, date: "2031-02-04" });
    const again = readFileSync(file, "utf8");
    expect(again).toContain("**Run of 2031-02-04**");
    expect(again).not.toContain("2031-02-03");
    expect(again.slice(0, start)).toBe(before.slice(0, start));
  });

  it("leaves a file without the markers alone and says what it needs", () => {
    const file = path.join(dir, "notes.md");
    writeFileSync(file, "# Notes\n");
    expect(() => writeReport(file, fakeRun)).toThrow(/needs one "<!-- bench:start/);
    expect(readFileSync(file, "utf8")).toBe("# Notes\n");
  });

  it("names this machine's cores, CPU model, Node version and OS", () => {
    const machine = describeMachine();
    expect(machine.cores).toBe(os.cpus().length);
    expect(machine.node).toBe(process.version);
    expect(machine.cpu).toBe(os.cpus()[0]?.model.trim());
    expect(machine.os.length).toBeGreaterThan(0);
  });

  it("is what docs/performance.md holds: one dated report, between the markers, with its machine", () => {
    const text = readFileSync(PERFORMANCE, "utf8");
    const blocks = [...text.matchAll(/<!-- bench:start[^>]*-->([\s\S]*?)<!-- bench:end -->/g)];
    expect(blocks).toHaveLength(1);
    expect(blocks[0][1]).toMatch(
      /\*\*Run of \d{4}-\d{2}-\d{2}\*\* on \d+ cores \(.+\), Node v\d+[\d.]*, .+: /,
    );
    expect(blocks[0][1]).toContain(
      "| scenario | req/s | p50 ms | p99 ms | server CPU per request |",
    );
    expect(blocks[0][1]).toContain("| target | measured | goal | |");
  });
});
