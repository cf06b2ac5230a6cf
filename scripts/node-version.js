// The oldest Node.js nextpress runs on (package.json's `engines`): node:sqlite, unflagged from 22.13,
// and its StatementSync.columns() from 22.16. `npm start`, `npm test` and the CLI refuse an older
// Node in one line that names the fix (src/node-version.ts says the same for the compiled server).
"use strict";

const MINIMUM = [22, 16, 0];

function isSupported(version) {
  const [major, minor, patch] = version.split(".").map(Number);
  const found = [major, minor, patch];
  for (let i = 0; i < 3; i++) if (found[i] !== MINIMUM[i]) return found[i] > MINIMUM[i];
  return true;
}

/** Exits 1 with one line on stderr when this Node is older than the minimum. */
function refuseUnsupportedNode(version = process.versions.node) {
  if (isSupported(version)) return;
  process.stderr.write(
    `nextpress needs Node.js ${MINIMUM.join(".")} or later (this is ${version}): install Node 24 (or 22), e.g. \`nvm install 24\`\n`,
  );
  process.exit(1);
}

module.exports = { MINIMUM, isSupported, refuseUnsupportedNode };

// `node scripts/node-version.js`: the first step of `npm test`.
if (require.main === module) refuseUnsupportedNode();
