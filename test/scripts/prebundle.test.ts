import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../helpers/process";

// package.json's nextpress.prebundle: packages the build bundles into one file each under
// dist/node_modules, where everything compiled into dist/ finds them first (the sample's Kysely:
// 280 files to load at start-up otherwise).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is CommonJS
const { prebundle } = require("../../scripts/build.js") as {
  prebundle: (outDir: string, names: string[]) => void;
};

let out: string;
beforeEach(() => {
  out = mkdtempSync(path.join(os.tmpdir(), "nextpress-prebundle-"));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

/** Writes `source` as a compiled file at `relative` under the output folder. */
function compiled(relative: string, source: string): string {
  const file = path.join(out, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
}

describe("prebundle", () => {
  it("is what the build does with the sample's Kysely: the compiled database layer resolves one bundled file", () => {
    const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      nextpress?: { prebundle?: string[] };
    };
    expect(manifest.nextpress?.prebundle).toEqual(["kysely"]);
    const dist = path.join(PROJECT_ROOT, "dist");
    const from = path.join(dist, "routes", "_lib", "database");
    expect(require.resolve("kysely", { paths: [from] })).toBe(
      path.join(dist, "node_modules", "kysely", "index.js"),
    );
    expect(readdirSync(path.join(dist, "node_modules", "kysely")).sort()).toEqual([
      "LICENSE",
      "index.js",
      "package.json",
    ]);
  });

  it("gives every compiled file the same module, which builds SQL like the package it bundles", () => {
    prebundle(out, ["kysely"]);
    const a = compiled("routes/a.js", 'module.exports = require("kysely");');
    const b = compiled("routes/_lib/deep/b.js", 'module.exports = require("kysely");');
    /* eslint-disable @typescript-eslint/no-require-imports -- compiled files, as the server loads them */
    const kysely = require(a) as typeof import("kysely");
    expect(require(b)).toBe(kysely);
    /* eslint-enable @typescript-eslint/no-require-imports */
    expect(require.resolve("kysely", { paths: [path.dirname(b)] })).toBe(
      path.join(out, "node_modules", "kysely", "index.js"),
    );
    const db = new kysely.Kysely<{ users: { id: number; email: string } }>({
      dialect: {
        createAdapter: () => new kysely.SqliteAdapter(),
        createDriver: () => new kysely.DummyDriver(),
        createIntrospector: (db) => new kysely.SqliteIntrospector(db),
        createQueryCompiler: () => new kysely.SqliteQueryCompiler(),
      },
    });
    const query = db.selectFrom("users").select("email").where("id", "=", 7).compile();
    expect(query.sql).toBe('select "email" from "users" where "id" = ?');
    expect(query.parameters).toEqual([7]);
  });

  it("stops the build when a compiled file imports a subpath the bundle does not hold", () => {
    compiled("routes/pg.js", 'const { jsonArrayFrom } = require("kysely/helpers/postgres");');
    expect(() => prebundle(out, ["kysely"])).toThrow(
      /routes\/pg\.js imports a subpath of kysely, which package\.json's nextpress\.prebundle bundles by its main entry only/,
    );
  });

  it("does nothing without packages to bundle", () => {
    prebundle(out, []);
    expect(readdirSync(out)).toEqual([]);
  });
});
