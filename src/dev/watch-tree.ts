import { readdirSync, realpathSync, statSync, watch, type Dirent, type FSWatcher } from "node:fs";
import path from "node:path";

/** What changed below the watched folder since the previous report. */
export interface TreeChange {
  /** Paths relative to the watched folder, sorted; a folder's own events name the folder. */
  readonly files: readonly string[];
  /** When the first of these events arrived (Date.now()). */
  readonly since: number;
}

export interface TreeWatcher {
  close(): void;
}

/** Editors' swap, backup and probe files, dot-files and node_modules: never a reason to reload. */
export function isNoise(name: string): boolean {
  const base = path.basename(name);
  return (
    base.startsWith(".") || base.endsWith("~") || /\.sw[a-p]$/.test(base) || base === "node_modules"
  );
}

function isDirectory(full: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  return (
    entry.isSymbolicLink() && (statSync(full, { throwIfNoEntry: false })?.isDirectory() ?? false)
  );
}

/**
 * Calls `onChange` once events below `root` have been quiet for `debounceMs`: a file added,
 * changed, replaced or deleted, at any depth. One non-recursive fs.watch per folder, re-synced on
 * every report: Node 20's `{ recursive: true }` on Linux stops reporting a file once it has been
 * replaced by a rename (an editor's atomic save) or deleted and created again.
 *
 * @example
 * const watcher = watchTree("routes", ({ files }) => console.log("changed:", files));
 */
export function watchTree(
  root: string,
  onChange: (change: TreeChange) => void,
  debounceMs = 50,
): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  let pending = new Set<string>();
  let since = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function record(dir: string, name: string | null): void {
    if (closed || (name && isNoise(name))) return;
    pending.add(
      path
        .relative(root, name ? path.join(dir, name) : dir)
        .split(path.sep)
        .join("/") || ".",
    );
    if (since === 0) since = Date.now();
    clearTimeout(timer);
    timer = setTimeout(report, debounceMs);
  }

  function watchDir(dir: string): void {
    if (watchers.has(dir)) return;
    try {
      const watcher = watch(dir, (_event, name) => record(dir, name));
      // A watched folder that disappears errors on some systems: forget it, the next sync decides.
      watcher.on("error", () => {
        watcher.close();
        watchers.delete(dir);
        record(dir, null);
      });
      watchers.set(dir, watcher);
    } catch {
      // Gone before it could be watched: its parent's event already reported it.
    }
  }

  /** Watches every folder below root (following links, skipping loops), and no folder that is gone. */
  function sync(): void {
    const present = new Set<string>();
    const walk = (dir: string, ancestors: ReadonlySet<string>): void => {
      let real: string;
      let entries: Dirent[];
      try {
        real = realpathSync(dir);
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      if (ancestors.has(real)) return;
      present.add(dir);
      watchDir(dir);
      const inside = new Set(ancestors).add(real);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (!isNoise(entry.name) && isDirectory(full, entry)) walk(full, inside);
      }
    };
    walk(root, new Set());
    for (const [dir, watcher] of watchers) {
      if (present.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
  }

  function report(): void {
    // Folders created since the last report are watched before anyone reads the tree again.
    sync();
    const change = { files: [...pending].sort(), since };
    pending = new Set();
    since = 0;
    onChange(change);
  }

  sync();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
