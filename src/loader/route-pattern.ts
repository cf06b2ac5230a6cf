import { InvalidRouteError } from "../errors";
import { stripScriptExtension } from "./ignore-rules";

export type Segment =
  | { kind: "static"; value: string }
  | { kind: "dynamic"; name: string }
  | { kind: "catchAll"; name: string }
  | { kind: "optionalCatchAll"; name: string };

const OPTIONAL_CATCH_ALL = /^\[\[\.\.\.([^[\]/]+)\]\]$/;
const CATCH_ALL = /^\[\.\.\.([^[\]/]+)\]$/;
const DYNAMIC = /^\[([^[\]/.][^[\]/]*)\]$/;

/** One file or folder name as a URL segment. */
function toSegment(part: string): Segment {
  let match = OPTIONAL_CATCH_ALL.exec(part);
  if (match) return { kind: "optionalCatchAll", name: match[1] };
  if ((match = CATCH_ALL.exec(part))) return { kind: "catchAll", name: match[1] };
  if ((match = DYNAMIC.exec(part))) return { kind: "dynamic", name: match[1] };
  if (part.includes("[") || part.includes("]")) {
    throw new InvalidRouteError(
      `"${part}" is not a valid segment: use [name], [...name] or [[...name]] for the whole file or folder name`,
    );
  }
  return { kind: "static", value: part };
}

/**
 * The URL segments a route file serves, as Next maps `pages/api/<file>`:
 * the extension is dropped, a trailing `index` means the folder itself.
 *
 * @example
 * toSegments("post/[pid].ts"); // [{kind:"static",value:"post"},{kind:"dynamic",name:"pid"}]
 */
export function toSegments(relativeFile: string): Segment[] {
  const parts = stripScriptExtension(relativeFile).split("/");
  if (parts[parts.length - 1] === "index") parts.pop();
  return checkSegments(parts.map(toSegment));
}

/** A route group folder, `(name)`: it organises files and is not part of the URL. */
const ROUTE_GROUP = /^\([^()/.][^()/]*\)$/;

/**
 * The URL segments an app-router `route.ts` serves, as Next maps `app/<folders>/route.ts`: its
 * folders, route groups `(name)` left out.
 *
 * @example
 * toAppSegments("(shop)/api/items/[id]/route.ts"); // api, items, [id]
 */
export function toAppSegments(relativeFile: string): Segment[] {
  const folders = relativeFile
    .split("/")
    .slice(0, -1)
    .filter((folder) => !ROUTE_GROUP.test(folder));
  return checkSegments(folders.map(toSegment));
}

function checkSegments(segments: Segment[]): Segment[] {
  const names = new Set<string>();
  segments.forEach((segment, index) => {
    if (segment.kind === "static") return;
    if (names.has(segment.name)) {
      throw new InvalidRouteError(
        `the param name "${segment.name}" is used twice in one path: rename one of them`,
      );
    }
    names.add(segment.name);
    const isCatchAll = segment.kind === "catchAll" || segment.kind === "optionalCatchAll";
    if (isCatchAll && index !== segments.length - 1) {
      throw new InvalidRouteError(
        "a catch-all must be the last part of the URL: nothing may sit below it",
      );
    }
  });
  return segments;
}

/** `/api/post/[pid]`: the Next-style pattern, for messages and the route table. */
export function formatPattern(segments: readonly Segment[], prefix = "/api"): string {
  const parts = segments.map((segment) => {
    switch (segment.kind) {
      case "static":
        return segment.value;
      case "dynamic":
        return `[${segment.name}]`;
      case "catchAll":
        return `[...${segment.name}]`;
      case "optionalCatchAll":
        return `[[...${segment.name}]]`;
    }
  });
  return [prefix, ...parts].join("/") || "/";
}

/** Characters path-to-regexp 8 (Express 5) reads as syntax in a literal segment. */
const EXPRESS_SYNTAX = /[:*?+(){}[\]\\!]/g;

/** `/api/post/:pid`, `/api/docs/*slug`, `/api/shop{/*slug}`: the same pattern in Express 5's syntax (`req.route.path`). */
export function formatExpressPath(segments: readonly Segment[], prefix = "/api"): string {
  let path = prefix;
  for (const segment of segments) {
    switch (segment.kind) {
      case "static":
        path += `/${segment.value.replace(EXPRESS_SYNTAX, "\\$&")}`;
        break;
      case "dynamic":
        path += `/:${segment.name}`;
        break;
      case "catchAll":
        path += `/*${segment.name}`;
        break;
      case "optionalCatchAll":
        path += `{/*${segment.name}}`;
        break;
    }
  }
  return path || "/";
}
