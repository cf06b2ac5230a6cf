import type { RouteProblem } from "../errors";
import { formatPattern, type Segment } from "./route-pattern";

interface PlannedRoute {
  file: string;
  segments: readonly Segment[];
}

/** A file and the full pattern it serves. */
interface Entry {
  file: string;
  pattern: string;
}

interface Node {
  pattern: string;
  exact: Entry[];
  statics: Map<string, Node>;
  dynamic?: Node;
  dynamicNames: Map<string, string[]>;
  catchAll: Map<string, Entry[]>;
  optionalCatchAll: Map<string, Entry[]>;
}

function createNode(pattern: string): Node {
  return {
    pattern,
    exact: [],
    statics: new Map(),
    dynamicNames: new Map(),
    catchAll: new Map(),
    optionalCatchAll: new Map(),
  };
}

function add<T>(map: Map<string, T[]>, key: string, value: T): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

/**
 * Files with the very same pattern, grouped. Files that only differ in a param name above them
 * (`[id]/a.ts`, `[slug]/a.ts`) are already reported as a name clash, not again here.
 */
function duplicates(entries: readonly Entry[]): Entry[][] {
  const byPattern = new Map<string, Entry[]>();
  for (const entry of entries) add(byPattern, entry.pattern, entry);
  return [...byPattern.values()].filter((group) => group.length > 1);
}

const filesOf = (entries: readonly Entry[]): string[] => entries.map((entry) => entry.file);

function inspect(node: Node, problems: RouteProblem[]): void {
  for (const group of duplicates(node.exact)) {
    problems.push({
      files: filesOf(group),
      reason: `both serve ${group[0].pattern}: keep one of them (users.ts and users/index.ts are the same URL)`,
    });
  }
  if (node.dynamicNames.size > 1) {
    const names = [...node.dynamicNames.keys()];
    problems.push({
      files: names.flatMap((name) => node.dynamicNames.get(name) ?? []),
      reason: `different param names for the same dynamic path (${names.map((n) => `[${n}]`).join(" vs ")}): use one name`,
    });
  }
  const rest = [...node.catchAll.values(), ...node.optionalCatchAll.values()].flat();
  const restLabels = [
    ...[...node.catchAll.keys()].map((name) => `[...${name}]`),
    ...[...node.optionalCatchAll.keys()].map((name) => `[[...${name}]]`),
  ];
  if (restLabels.length > 1) {
    problems.push({
      files: filesOf(rest),
      reason: `two catch-alls in one folder (${restLabels.join(" vs ")}): keep one of them`,
    });
  } else {
    for (const group of duplicates(rest)) {
      problems.push({
        files: filesOf(group),
        reason: `both serve ${group[0].pattern}: keep one of them`,
      });
    }
  }
  if (node.optionalCatchAll.size > 0 && node.exact.length > 0) {
    problems.push({
      files: [...filesOf(node.exact), ...filesOf([...node.optionalCatchAll.values()].flat())],
      reason: `both serve ${node.pattern}, since an optional catch-all also matches its folder: remove the index route or use [...x]`,
    });
  }
  for (const child of node.statics.values()) inspect(child, problems);
  if (node.dynamic) inspect(node.dynamic, problems);
}

/**
 * Every way two route files collide, found before any file is imported: two files for one URL,
 * sibling params with different names, `[...x]` beside `[[...x]]`, an optional catch-all beside
 * its folder's index. Next refuses to build in the same cases.
 */
export function findRouteConflicts(
  routes: readonly PlannedRoute[],
  prefix = "/api",
): RouteProblem[] {
  const root = createNode(prefix);
  for (const { file, segments } of routes) {
    const entry = { file, pattern: formatPattern(segments, prefix) };
    let node = root;
    for (const [index, segment] of segments.entries()) {
      const pattern = formatPattern(segments.slice(0, index + 1), prefix);
      if (segment.kind === "static") {
        let child = node.statics.get(segment.value);
        if (!child) node.statics.set(segment.value, (child = createNode(pattern)));
        node = child;
      } else if (segment.kind === "dynamic") {
        add(node.dynamicNames, segment.name, file);
        node = node.dynamic ??= createNode(pattern);
      } else {
        add(
          segment.kind === "catchAll" ? node.catchAll : node.optionalCatchAll,
          segment.name,
          entry,
        );
        break;
      }
    }
    const last = segments[segments.length - 1];
    if (!last || last.kind === "static" || last.kind === "dynamic") node.exact.push(entry);
  }
  const problems: RouteProblem[] = [];
  inspect(root, problems);
  return problems.map((problem) => ({ ...problem, files: [...new Set(problem.files)] }));
}
