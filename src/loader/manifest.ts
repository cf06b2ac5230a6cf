import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * What `nextpress check --write-manifest` (run by `npm run build`) proved: this exact set of
 * route and `_middleware` files imported cleanly and formed a valid table. While every file still
 * has the size and modification time recorded here, the server may import routes on first use
 * instead of all at start-up; any difference and it loads and checks everything eagerly again.
 */
export const MANIFEST_FILE = ".nextpress-manifest.json";
const VERSION = 1;

const manifestSchema = z.object({
  version: z.number(),
  /** [relative path, size, mtimeMs] of every route and `_middleware` file. */
  files: z.array(z.tuple([z.string(), z.number(), z.number()])),
});
type Manifest = z.infer<typeof manifestSchema>;

async function describe(routesDir: string, files: readonly string[]): Promise<Manifest["files"]> {
  return Promise.all(
    [...files].sort().map(async (file): Promise<[string, number, number]> => {
      const stat = await fs.stat(path.join(routesDir, file));
      return [file, stat.size, Math.trunc(stat.mtimeMs)];
    }),
  );
}

export async function writeManifest(routesDir: string, files: readonly string[]): Promise<string> {
  const manifest: Manifest = { version: VERSION, files: await describe(routesDir, files) };
  const target = path.join(routesDir, MANIFEST_FILE);
  await fs.writeFile(target, JSON.stringify(manifest) + "\n");
  return target;
}

/** True when the folder holds a manifest and every file matches it exactly (names, sizes, times). */
export async function isManifestCurrent(
  routesDir: string,
  files: readonly string[],
): Promise<boolean> {
  let manifest: Manifest;
  try {
    const parsed = manifestSchema.safeParse(
      JSON.parse(await fs.readFile(path.join(routesDir, MANIFEST_FILE), "utf8")),
    );
    if (!parsed.success) return false;
    manifest = parsed.data;
  } catch {
    return false;
  }
  if (manifest.version !== VERSION || manifest.files.length !== files.length) return false;
  const current = await describe(routesDir, files);
  return current.every(([file, size, mtime], i) => {
    const [recordedFile, recordedSize, recordedMtime] = manifest.files[i] ?? [];
    return file === recordedFile && size === recordedSize && mtime === recordedMtime;
  });
}
