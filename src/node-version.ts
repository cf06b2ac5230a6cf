// The oldest Node.js the server runs on (package.json's `engines`, scripts/node-version.js): the
// sample's database is node:sqlite, unflagged from 22.13, with StatementSync.columns() from 22.16.
export const MINIMUM_NODE: readonly [number, number, number] = [22, 16, 0];

/** True when `version` ("24.1.0") is at least MINIMUM_NODE. */
export function isSupportedNode(version: string): boolean {
  const found = version.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (found[i] !== MINIMUM_NODE[i]) return found[i] > MINIMUM_NODE[i];
  return true;
}

/** One line that names the fix, or undefined when this Node will do. */
export function unsupportedNodeMessage(version = process.versions.node): string | undefined {
  return isSupportedNode(version)
    ? undefined
    : `nextpress needs Node.js ${MINIMUM_NODE.join(".")} or later (this is ${version}): install Node 24 (or 22), e.g. \`nvm install 24\``;
}
