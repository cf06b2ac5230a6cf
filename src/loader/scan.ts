import { promises as fs } from "node:fs";
import path from "node:path";
import { isIgnoredName, isRouteFileName } from "./ignore-rules";

/**
 * Every route file below `routesDir`, as `/`-separated paths relative to it, sorted.
 * Symbolic links are followed once; a link back into a folder already seen is skipped.
 */
export async function scanRouteFiles(routesDir: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();

  async function walk(dir: string, relative: string): Promise<void> {
    const real = await fs.realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (isIgnoredName(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const isDir = entry.isSymbolicLink() ? (await fs.stat(full)).isDirectory() : entry.isDirectory();
      if (isDir) await walk(full, rel);
      else if (isRouteFileName(entry.name)) found.push(rel);
    }
  }

  await walk(routesDir, "");
  return found.sort();
}
