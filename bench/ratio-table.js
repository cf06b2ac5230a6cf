// The --compare table: each scenario measured on two builds in one run, with the ratio per row.
"use strict";

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/**
 * @typedef {{ value: number, cpu?: number, failed?: string }} Side
 * @typedef {{ label: string, unit: string, cpuUnit?: string, higherIsBetter: boolean, base: Side, head: Side }} CompareRow
 * `cpu`: the server's CPU time in `cpuUnit` (µs per request for throughput, ms until ready for a start).
 * `ratio` is head / base; `better` says whether head improved on base by the row's own measure.
 */
function compareRow(row) {
  const ratio = row.head.value / row.base.value;
  const usable = Number.isFinite(ratio) && !row.base.failed && !row.head.failed;
  let better;
  if (usable) better = row.higherIsBetter ? ratio > 1 : ratio < 1;
  return { ...row, ratio: usable ? ratio : NaN, better };
}

function side(s, unit) {
  if (s.failed) return `FAILED (${s.failed})`;
  return `${fmt(s.value, unit === "req/s" || unit === "ms" ? 0 : 1)} ${unit}`;
}

/** The Markdown table `--compare` prints: base, head, head/base, and each side's server CPU time. */
function renderCompareTable(baseName, headName, rows) {
  const lines = [
    `| scenario | ${baseName} | ${headName} | ${headName} / ${baseName} | server CPU ${baseName} → ${headName} |`,
    "|---|---|---|---|---|",
  ];
  for (const row of rows.map(compareRow)) {
    const cpu =
      row.base.cpu === undefined
        ? ""
        : `${fmt(row.base.cpu, 1)} → ${fmt(row.head.cpu, 1)} ${row.cpuUnit} (${fmt(row.head.cpu / row.base.cpu, 2)}x)`;
    lines.push(
      `| ${row.label} | ${side(row.base, row.unit)} | ${side(row.head, row.unit)} | ${fmt(row.ratio, 2)}x | ${cpu} |`,
    );
  }
  return lines.join("\n");
}

module.exports = { compareRow, renderCompareTable };
