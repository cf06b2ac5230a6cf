import { readFileSync } from "node:fs";
import path from "node:path";
import { SAMPLE_VARIABLES } from "../../routes/_lib/settings";
import { CONFIG_VARIABLES } from "../../src/config";
import { PROJECT_ROOT } from "../helpers/process";

/** The first ```ts block of README.md's section `heading`. */
function firstTypeScriptBlock(heading: string): string | undefined {
  const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) return undefined;
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return /\n```ts\n([\s\S]*?)```\n/.exec(section)?.[1];
}

describe("README.md", () => {
  it("shows, under “Testing your routes”, exactly the example that test/testing/readme-example.test.ts runs", () => {
    const example = readFileSync(path.join(__dirname, "readme-example.test.ts"), "utf8");
    expect(firstTypeScriptBlock("## Testing your routes")).toBe(example);
  });

  it("lists every variable the config schema and the sample's database settings read in its Configuration table, and no other", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const start = readme.indexOf("\n## Configuration\n");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect([...rows].sort()).toEqual(
      [...new Set([...CONFIG_VARIABLES, ...SAMPLE_VARIABLES])].sort(),
    );
  });
});
