import type { RouteProblem } from "../errors";
import { formatPattern, type Segment } from "./route-pattern";

interface PlannedRoute {
  file: string;
  segments: readonly Segment[];
}

interface Node {
  pattern: string;
  exact: string[];
  statics: Map<string, Node>;
  dynamic?: Node;
  dynamicNames: Map<string, string[]>;
  catchAll: Map<string, string[]>;
  optionalCatchAll: Map<string, string[]>;
}

function createNode(pattern: string): Node {
  return { pattern, exact: [], statics: new Map(), dynamicNames: new Map(), catchAll: new Map(), optionalCatchAll: new Map() };
}

function add(map: Map<string, string[]>, key: string, file: string): void {
  const files = map.get(key);
  if (files) files.push(file);
  else map.set(key, [file]);
}

function allFiles(map: Map<string, string[]>): string[] {
  return [...map.values()].flat();
}

function inspect(node: Node, problems: RouteProblem[]): void {
  if (node.exact.length > 1) {
    problems.push({
      files: node.exact,
      reason: `both serve ${node.pattern}: keep one of them (users.ts and users/index.ts are the same URL)`,
    });
  }
  if (node.dynamicNames.size > 1) {
    const names = [...node.dynamicNames.keys()];
    problems.push({
      files: names.flatMap((name) => node.dynamicNames.get(name) ?? []),
      reason: `different param names for the same dynamic path (${names.map((n) => `[${n}]`).join(" vs ")}): use one name`,
    });
  }
  const restNames = new Set([...node.catchAll.keys(), ...node.optionalCatchAll.keys()]);
  if (restNames.size > 1 || (node.catchAll.size > 0 && node.optionalCatchAll.size > 0)) {
    problems.push({
      files: [...allFiles(node.catchAll), ...allFiles(node.optionalCatchAll)],
      reason:
        "a required catch-all [...x] and an optional catch-all [[...x]] (or two catch-alls) share one folder: keep one",
    });
  } else if (node.optionalCatchAll.size > 0 && node.exact.length > 0) {
    problems.push({
      files: [...node.exact, ...allFiles(node.optionalCatchAll)],
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
export function findRouteConflicts(routes: readonly PlannedRoute[], prefix = "/api"): RouteProblem[] {
  const root = createNode(prefix);
  for (const { file, segments } of routes) {
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
        add(segment.kind === "catchAll" ? node.catchAll : node.optionalCatchAll, segment.name, file);
        break;
      }
    }
    const last = segments[segments.length - 1];
    if (!last || last.kind === "static" || last.kind === "dynamic") node.exact.push(file);
  }
  const problems: RouteProblem[] = [];
  inspect(root, problems);
  return problems.map((problem) => ({ ...problem, files: [...new Set(problem.files)] }));
}
