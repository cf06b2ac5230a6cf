#!/usr/bin/env node
// @ts-check
// Counts the type assertions in src/ (`x as T` and `<T>x`; `as const` is not one): casts belong at
// the edges, where a library's types end. `node scripts/count-casts.js [dir] [--top]` prints the
// total, the rate per 1,000 lines and, with --top, the files that hold the most;
// test/scripts/count-casts.test.ts holds src/ to MAX_PER_KLOC.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

/** Hono's rate: at most this many type assertions per 1,000 lines of src/. */
const MAX_PER_KLOC = 12;

/** @param {string} dir @param {string[]} [out] @returns {string[]} */
function sourceFiles(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(file, out);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(file);
  }
  return out;
}

/** @param {import("typescript").Node} node */
function isCast(node) {
  if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return false;
  const type = node.type;
  return !(ts.isTypeReferenceNode(type) && type.typeName.getText() === "const");
}

/** The type assertions in one file's text. @param {string} text @param {string} [name] */
function countInText(text, name = "file.ts") {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  let casts = 0;
  /** @param {import("typescript").Node} node */
  const visit = (node) => {
    if (isCast(node)) casts++;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return casts;
}

/**
 * Casts, lines and casts per 1,000 lines of every .ts file under `dir`, and the count per file.
 * @param {string} dir
 */
function countCasts(dir) {
  let casts = 0;
  let lines = 0;
  /** @type {Record<string, number>} */
  const perFile = {};
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, "utf8");
    lines += text.split("\n").length;
    const count = countInText(text, file);
    casts += count;
    if (count > 0) perFile[path.relative(dir, file)] = count;
  }
  return { casts, lines, perKloc: Math.round((casts / lines) * 10_000) / 10, perFile };
}

if (require.main === module) {
  const dir = process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "src";
  const { perFile, ...totals } = countCasts(dir);
  console.log(JSON.stringify({ ...totals, maxPerKloc: MAX_PER_KLOC }));
  if (process.argv.includes("--top"))
    for (const [file, count] of Object.entries(perFile)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25))
      console.log(count, file);
}

module.exports = { MAX_PER_KLOC, countCasts, countInText };
