import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { SAMPLE_VARIABLES } from "../../routes/_lib/settings";
import { CONFIG_VARIABLES } from "../../src/config";
import { scanAppDir } from "../../src/loader/app-scan";
import { toAppSegments, toSegments, type Segment } from "../../src/loader/route-pattern";
import { scanRoutesDir } from "../../src/loader/scan";
import { RouteTree } from "../../src/router/route-tree";
import {
  codeBlocks,
  declaredPath,
  documentationFiles,
  headingAnchors,
  linkTargets,
  prose,
  readDoc,
  type CodeBlock,
} from "../helpers/markdown";
import { PROJECT_ROOT } from "../helpers/process";

const FILES = documentationFiles();
const BLOCKS = FILES.flatMap(codeBlocks);
const where = (block: CodeBlock) => `${block.file}:${block.line}`;

/** The first ```ts block of `file`'s section `heading`. */
function firstTypeScriptBlock(file: string, heading: string): string | undefined {
  const text = readDoc(file);
  const start = text.indexOf(`\n${heading}\n`);
  if (start === -1) return undefined;
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  return /\n```ts\n([\s\S]*?)```\n/.exec(section)?.[1];
}

describe("README.md and docs/", () => {
  it("keep the README a front door: about 300 lines, with a table of contents", () => {
    const readme = readDoc("README.md");
    expect(readme.split("\n").length).toBeLessThanOrEqual(360);
    expect(readme).toMatch(/\n## Contents\n/);
  });

  it("shows, under “Testing your routes” in docs/guide.md, exactly the example that test/testing/readme-example.test.ts runs", () => {
    const example = readFileSync(path.join(__dirname, "readme-example.test.ts"), "utf8");
    expect(firstTypeScriptBlock("docs/guide.md", "## Testing your routes")).toBe(example);
  });

  it("lists every variable the config schema and the sample's database settings read in the README's Configuration table, and no other", () => {
    const readme = readDoc("README.md");
    const start = readme.indexOf("\n## Configuration\n");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect([...rows].sort()).toEqual(
      [...new Set([...CONFIG_VARIABLES, ...SAMPLE_VARIABLES])].sort(),
    );
  });

  it("link only to files that exist and to headings that exist", () => {
    const dead: string[] = [];
    for (const file of FILES) {
      for (const target of linkTargets(file)) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:: not checked here
        const [pathPart, anchor] = target.split("#");
        const linked = pathPart ? path.posix.join(path.posix.dirname(file), pathPart) : file;
        if (!existsSync(path.join(PROJECT_ROOT, linked))) dead.push(`${file}: ${target}`);
        else if (anchor !== undefined && !headingAnchors(linked).has(anchor))
          dead.push(`${file}: ${target} (no such heading in ${linked})`);
      }
    }
    expect(dead).toEqual([]);
  });

  it("mark every code block with what it is: ts, sh, nginx, json or text (output and layouts)", () => {
    const unmarked = BLOCKS.filter(
      (block) => !["ts", "sh", "nginx", "json", "text"].includes(block.lang),
    ).map((block) => `${where(block)} \`\`\`${block.lang}`);
    expect(unmarked).toEqual([]);
  });

  it("name only environment variables the configuration reads, or that the OpenTelemetry SDK or a compose file reads", () => {
    const known = new Set([...CONFIG_VARIABLES, ...SAMPLE_VARIABLES]);
    const composeFiles = ["compose.yaml", "compose.postgres.yaml", "compose.replicas.yaml"]
      .map((name) => readFileSync(path.join(PROJECT_ROOT, name), "utf8"))
      .join("\n");
    const isKnown = (name: string) =>
      known.has(name) ||
      // OpenTelemetry's own: read by its SDK, or (OTEL_PROPAGATORS) said not to be supported.
      /^OTEL_(SERVICE_NAME|RESOURCE_ATTRIBUTES|TRACES_SAMPLER(_ARG)?|PROPAGATORS)$/.test(name) ||
      composeFiles.includes(`\${${name}`) ||
      // Node's own (docs/performance.md: a V8 flag for memory-bound deployments).
      name === "NODE_OPTIONS" ||
      // Not variables: SQLite's result codes and PostgreSQL's data-folder marker (docs/storage.md).
      /^SQLITE_[A-Z_]+$/.test(name) ||
      name === "PG_VERSION" ||
      name === "REPLACE_ME"; // the Secret template's placeholder
    const unknown: string[] = [];
    for (const file of FILES) {
      const inProse = [...prose(file).matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)];
      const inShell = codeBlocks(file)
        .filter((block) => block.lang === "sh" && !block.notChecked)
        .flatMap((block) => [...block.code.matchAll(/(?:^|[\s;])(?:-e )?([A-Z][A-Z0-9_]*)=/gm)]);
      for (const [, name] of [...inProse, ...inShell])
        if (!isKnown(name)) unknown.push(`${file}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  describe("shell blocks", () => {
    const shell = BLOCKS.filter((block) => block.lang === "sh" && !block.notChecked);
    const scripts = Object.keys(
      (
        JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
          scripts: Record<string, string>;
        }
      ).scripts,
    );
    const cli = readFileSync(path.join(PROJECT_ROOT, "src", "cli.ts"), "utf8");

    it("run only npm scripts of package.json and commands of the nextpress CLI", () => {
      const wrong: string[] = [];
      for (const block of shell) {
        for (const [, script] of block.code.matchAll(/npm run ([\w:-]+)/g))
          if (!scripts.includes(script)) wrong.push(`${where(block)}: npm run ${script}`);
        for (const [, command] of block.code.matchAll(/npx nextpress ([\w-]+)/g))
          if (!new RegExp(`^ {2}${command}\\b`, "m").test(cli))
            wrong.push(`${where(block)}: nextpress ${command}`);
      }
      expect(wrong).toEqual([]);
    });

    it("name only files of this repository after -f (compose files, manifests)", () => {
      const missing = shell.flatMap((block) =>
        [...block.code.matchAll(/ -f (\S+)/g)]
          .map((match) => match[1])
          .filter((file) => !existsSync(path.join(PROJECT_ROOT, file)))
          .map((file) => `${where(block)}: ${file}`),
      );
      expect(missing).toEqual([]);
    });

    it("curl only URLs the sample serves, a route file shown in the same document serves, or nextpress answers itself", async () => {
      const tree = await sampleRouteTree();
      const shownRoutes = (file: string) =>
        codeBlocks(file).flatMap((block) => {
          const declared = block.lang === "ts" ? declaredPath(block) : undefined;
          return declared ? [routeOf(declared)].filter((route) => route !== undefined) : [];
        });
      const unserved: string[] = [];
      for (const block of shell) {
        const shown = new RouteTree(shownRoutes(block.file));
        for (const line of block.code.split("\n").filter((text) => /\bcurl\b/.test(text))) {
          const urls = [...line.matchAll(/(?:localhost|127\.0\.0\.1)(?::\d+)?(\/[^\s'"?]*)/g)];
          if (urls.length === 0) unserved.push(`${where(block)}: no URL in ${line.trim()}`);
          for (const [, urlPath] of urls) {
            const segments = urlPath.split("/").filter(Boolean).map(decodeURIComponent);
            const builtIn = /^\/(healthz|readyz|openapi\.json|mcp|docs(\/.*)?)$/.test(urlPath);
            if (!builtIn && !tree.match(segments) && !shown.match(segments))
              unserved.push(`${where(block)}: ${urlPath}`);
          }
        }
      }
      expect(unserved).toEqual([]);
    });
  });

  it("hold valid JSON in ```json blocks", () => {
    const invalid = BLOCKS.filter((block) => block.lang === "json" && !block.notChecked).flatMap(
      (block) => {
        try {
          JSON.parse(block.code);
          return [];
        } catch (error) {
          return [`${where(block)}: ${(error as Error).message}`];
        }
      },
    );
    expect(invalid).toEqual([]);
  });

  it("quote deploy/nginx.conf exactly in ```nginx blocks", () => {
    const conf = readFileSync(path.join(PROJECT_ROOT, "deploy", "nginx.conf"), "utf8");
    const directives = (text: string) =>
      text
        .split("\n")
        .map((line) => line.replace(/#.*$/, "").trim().replace(/\s+/g, " "))
        .filter(Boolean);
    const confLines = new Set(directives(conf));
    const missing = BLOCKS.filter((block) => block.lang === "nginx").flatMap((block) =>
      directives(block.code)
        .filter((line) => !confLines.has(line))
        .map((line) => `${where(block)}: ${line}`),
    );
    expect(missing).toEqual([]);
  });
});

interface TableRoute {
  readonly segments: readonly Segment[];
}

/** The route a file path such as `routes/users/[id].ts` or `app/api/x/route.ts` declares. */
function routeOf(file: string): TableRoute | undefined {
  if (file.startsWith("routes/")) {
    const relative = file.slice("routes/".length);
    if (relative.split("/").some((part) => part.startsWith("_"))) return undefined;
    return { segments: [{ kind: "static", value: "api" }, ...toSegments(relative)] };
  }
  if (file.startsWith("app/") && /\/route\.[mc]?ts$/.test(file))
    return { segments: toAppSegments(file.slice("app/".length)) };
  return undefined;
}

/** The routes `npm start` serves: routes/ at /api, app/ at its folders' paths. */
async function sampleRouteTree(): Promise<RouteTree<TableRoute>> {
  const pages = (await scanRoutesDir(path.join(PROJECT_ROOT, "routes"))).routes;
  const app = (await scanAppDir(path.join(PROJECT_ROOT, "app"))).routes;
  return new RouteTree([
    ...pages.map((file) => ({
      segments: [{ kind: "static", value: "api" } as const, ...toSegments(file)],
    })),
    ...app.map((file) => ({ segments: toAppSegments(file) })),
  ]);
}
