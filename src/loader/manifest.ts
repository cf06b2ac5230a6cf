import fs from "node:fs";
import path from "node:path";

/**
 * What `nextpress check --write-manifest` (run by `npm run build`) proved: this exact set of
 * route and `_middleware` files imported cleanly and formed a valid table. While every file still
 * has the size and modification time recorded here, the server may import routes on first use
 * instead of all at start-up; any difference and it loads and checks everything eagerly again.
 */
export const MANIFEST_FILE = ".nextpress-manifest.json";
const VERSION = 1;

/** [path, size, mtimeMs] of one file. */
export type FileEntry = [string, number, number];

interface Manifest {
  version: number;
  /** Every route and `_middleware` file, relative to the routes folder. */
  files: FileEntry[];
}

/**
 * True for a list of [path, size, mtimeMs]: checked by hand, as it is read at every start (zod
 * took 8 ms for the first 1,000 entries, its code not yet compiled).
 */
export function isFileEntries(value: unknown): value is FileEntry[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 3 &&
        typeof entry[0] === "string" &&
        typeof entry[1] === "number" &&
        typeof entry[2] === "number",
    )
  );
}

function isManifest(value: unknown): value is Manifest {
  const candidate = value as Partial<Manifest> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.version === "number" &&
    isFileEntries(candidate.files)
  );
}

/**
 * Synchronous on purpose: it runs once, before the server listens, and 1,000 `fs.promises.stat`
 * calls took 45–50 ms here against 14–19 ms for `statSync` (a promise and a FileHandle request
 * each), a tenth of the built path's start-up.
 */
function describe(routesDir: string, files: readonly string[]): FileEntry[] {
  return [...files].sort().map((file): FileEntry => {
    const stat = fs.statSync(path.join(routesDir, file));
    return [file, stat.size, Math.trunc(stat.mtimeMs)];
  });
}

export async function writeManifest(routesDir: string, files: readonly string[]): Promise<string> {
  const manifest: Manifest = { version: VERSION, files: describe(routesDir, files) };
  const target = path.join(routesDir, MANIFEST_FILE);
  await fs.promises.writeFile(target, JSON.stringify(manifest) + "\n");
  return target;
}

/** True when the folder holds a manifest and every file matches it exactly (names, sizes, times). */
export async function isManifestCurrent(
  routesDir: string,
  files: readonly string[],
): Promise<boolean> {
  let manifest: Manifest;
  try {
    const parsed: unknown = JSON.parse(
      await fs.promises.readFile(path.join(routesDir, MANIFEST_FILE), "utf8"),
    );
    if (!isManifest(parsed)) return false;
    manifest = parsed;
  } catch {
    return false;
  }
  if (manifest.version !== VERSION || manifest.files.length !== files.length) return false;
  try {
    return sameFiles(describe(routesDir, files), manifest.files);
  } catch {
    return false;
  }
}

/** True when two lists of [path, size, mtimeMs] name the same files, unchanged, in one order. */
export function sameFiles(current: readonly FileEntry[], recorded: readonly FileEntry[]): boolean {
  return (
    current.length === recorded.length &&
    current.every(([file, size, mtime], i) => {
      const [recordedFile, recordedSize, recordedMtime] = recorded[i] ?? [];
      return file === recordedFile && size === recordedSize && mtime === recordedMtime;
    })
  );
}
