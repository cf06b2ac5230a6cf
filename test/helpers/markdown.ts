import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./process";

/** README.md, CONTRIBUTING.md (when there is one) and every docs/*.md, relative to the project. */
export function documentationFiles(): string[] {
  const docs = readdirSync(path.join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  const top = ["README.md", "CONTRIBUTING.md"].filter((name) =>
    existsSync(path.join(PROJECT_ROOT, name)),
  );
  return [...top, ...docs];
}

export const readDoc = (file: string): string =>
  readFileSync(path.join(PROJECT_ROOT, file), "utf8");

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string: `ts`, `sh`, `text`, … ("" for none); `bash` is `sh`, `typescript` `ts`. */
  lang: string;
  code: string;
  /** The reason given by a `<!-- not-checked: reason -->` line right above the fence. */
  notChecked?: string;
}

const FENCE = /^( *)```(\S*)\s*$/;
/** Other names for the same kind of block: checked alike. */
const LANGUAGE_ALIASES: Readonly<Record<string, string>> = { bash: "sh", typescript: "ts" };
const NOT_CHECKED = /^\s*<!-- not-checked: (.+?) -->\s*$/;

/** Every fenced block of `file`, indented ones (in list items) included, de-indented. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readDoc(file).split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== "```") body.push(lines[j++].slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    const reason = i > 0 ? NOT_CHECKED.exec(lines[i - 1])?.[1] : undefined;
    blocks.push({
      file,
      line: i + 1,
      lang: LANGUAGE_ALIASES[open[2]] ?? open[2],
      code: body.join("\n") + "\n",
      ...(reason === undefined ? {} : { notChecked: reason }),
    });
    i = j;
  }
  return blocks;
}

/** The text of `file` outside its code blocks (prose, tables, headings). */
export function prose(file: string): string {
  return readDoc(file).replace(/^( *)```[\s\S]*?^\1```\s*$/gm, "");
}

/**
 * The anchors GitHub gives `file`'s headings: lower case, punctuation other than `-` and `_`
 * dropped, spaces to `-`, and `-1`, `-2` … after repeats.
 */
export function headingAnchors(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(file).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const slug = match[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every Markdown link target of `file`'s prose: `[text](target)`. */
export function linkTargets(file: string): string[] {
  return [...prose(file).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

/** The path a ```ts block says it is, from a first line such as `// routes/users.ts: …`. */
export function declaredPath(block: CodeBlock): string | undefined {
  return /^\/\/ ([\w./[\]()-]+?\.[mc]?ts)(?=$|[\s:(])/.exec(block.code)?.[1];
}
