// The bench's command line: `npm run bench -- [--quick] [--strict] [--report <file>]
// [--compare <git-ref>] [--rounds N] [--seconds S] [--only a,b]`. Pure, so that a test can table it.
"use strict";

const FLAGS = new Set(["--quick", "--strict"]);
const VALUES = new Set(["--report", "--compare", "--rounds", "--seconds", "--only"]);

function positiveNumber(flag, text) {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number`);
  return value;
}

/**
 * @param {readonly string[]} argv what follows `node bench/run.js`
 * @returns {{ quick: boolean, strict: boolean, report?: string, compare?: string,
 *   rounds?: number, seconds?: number, only?: string[] }}
 */
function parseBenchArgs(argv) {
  const options = { quick: false, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (FLAGS.has(flag)) {
      options[flag.slice(2)] = true;
      continue;
    }
    if (!VALUES.has(flag)) throw new Error(`unknown option ${flag}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith("--"))
      throw new Error(
        `${flag} needs a value: ${flag} <${flag === "--compare" ? "git-ref" : "value"}>`,
      );
    if (flag === "--rounds") options.rounds = Math.round(positiveNumber(flag, value));
    else if (flag === "--seconds") options.seconds = positiveNumber(flag, value);
    else if (flag === "--only") options.only = value.split(",").filter(Boolean);
    else options[flag.slice(2)] = value;
  }
  return options;
}

module.exports = { parseBenchArgs };
