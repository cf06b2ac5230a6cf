// The dated report `npm run bench` writes into docs/performance.md: the run's date, the machine and
// its tables, between two marker comments. The text around the markers is written by hand and kept.
"use strict";
const fs = require("node:fs");
const os = require("node:os");

const START = "<!-- bench:start";
const END = "<!-- bench:end -->";
const START_LINE = `${START}: written by \`npm run bench\` (bench/report.js); edit outside the markers -->`;

/**
 * @typedef {{ label: string, rps: number, p50: number, p99: number, cpuUs: number }} ThroughputRow
 * @typedef {{ label: string, measured: string, goal: string, pass: boolean }} TargetRow
 * @typedef {{ label: string, rps: number, p50: number, p99: number, rssMb: number }} CrudRow
 * @typedef {{ label: string, ms: number, rssMb: number }} StartupRow
 * @typedef {{
 *   date: string,
 *   machine: { cores: number, cpu: string, node: string, os: string },
 *   setup: string,
 *   throughput: ThroughputRow[],
 *   targets: TargetRow[],
 *   crud: CrudRow[],
 *   startup: StartupRow[],
 *   notes: string[],
 * }} BenchReport
 */

/** This machine, as the report names it: cores, CPU model, Node version and the OS. */
function describeMachine() {
  let system = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.readFileSync("/etc/os-release", "utf8"));
    if (pretty) system = pretty[1];
  } catch {
    // not Linux, or no os-release: the kernel's name will do
  }
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? "unknown CPU",
    node: process.version,
    os: system,
  };
}

const number = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : "-";

/** The generated part of docs/performance.md, markers included. */
function renderReport(/** @type {BenchReport} */ report) {
  const { machine } = report;
  const lines = [
    START_LINE,
    "",
    `**Run of ${report.date}** on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ` +
      `${machine.os}: ${report.setup}.`,
    "",
    "| scenario | req/s | p50 ms | p99 ms | server CPU per request |",
    "|---|---|---|---|---|",
    ...report.throughput.map(
      (row) =>
        `| ${row.label} | ${number(row.rps)} | ${number(row.p50, 2)} | ${number(row.p99, 2)} | ${number(row.cpuUs, 1)} µs |`,
    ),
    "",
    "| target | measured | goal | |",
    "|---|---|---|---|",
    ...report.targets.map(
      (row) => `| ${row.label} | ${row.measured} | ${row.goal} | ${row.pass ? "PASS" : "FAIL"} |`,
    ),
  ];
  if (report.crud.length > 0) {
    lines.push(
      "",
      "| the users resource, CRUD mix | req/s | p50 ms | p99 ms | server RSS, peak |",
      "|---|---|---|---|---|",
      ...report.crud.map(
        (row) =>
          `| ${row.label} | ${number(row.rps)} | ${number(row.p50, 2)} | ${number(row.p99, 2)} | ${number(row.rssMb, 1)} MB |`,
      ),
    );
  }
  if (report.startup.length > 0) {
    lines.push(
      "",
      "| start-up, spawn → first 200 | ms | idle RSS |",
      "|---|---|---|",
      ...report.startup.map(
        (row) => `| ${row.label} | ${number(row.ms)} | ${number(row.rssMb, 1)} MB |`,
      ),
    );
  }
  if (report.notes.length > 0) lines.push("", ...report.notes.map((note) => `- ${note}`));
  lines.push("", END);
  return lines.join("\n");
}

/**
 * Replaces what lies between the markers of `file` with the report; the rest of the file is kept
 * byte for byte. A file without exactly one pair of markers is left alone, and the error says so.
 */
function writeReport(file, /** @type {BenchReport} */ report) {
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start || text.indexOf(START, start + 1) !== -1) {
    throw new Error(
      `${file} needs one "${START} … -->" line and one "${END}" line after it for the bench's report`,
    );
  }
  fs.writeFileSync(
    file,
    text.slice(0, start) + renderReport(report) + text.slice(end + END.length),
  );
}

module.exports = { describeMachine, renderReport, writeReport };
