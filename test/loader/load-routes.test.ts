import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { RouteLoadError } from "../../src/errors";
import { loadRoutes } from "../../src/loader/load-routes";
import { buildTestApp, fixture } from "../helpers/app";

const load = (dir: string, prefix?: string) => loadRoutes(dir, { bodyLimit: "1mb", prefix });

async function loadError(dir: string): Promise<RouteLoadError> {
  const error: unknown = await load(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RouteLoadError))
    throw new Error(`expected ${dir} to fail with a RouteLoadError`);
  return error;
}

const NO_HANDLER =
  "has no default-exported function and no method exports: add `export default function handler(req, res) { … }` " +
  "(or `module.exports = handler` in CommonJS), or `export const GET = …`";

describe("loadRoutes: the route table", () => {
  it("returns one route per file, sorted, with its pattern, segments and absolute path", async () => {
    const routes = await load(fixture("routing-static"));
    expect(routes.map(({ file, pattern, segments }) => ({ file, pattern, segments }))).toEqual([
      {
        file: "docs/[...slug].ts",
        pattern: "/api/docs/[...slug]",
        segments: [
          { kind: "static", value: "docs" },
          { kind: "catchAll", name: "slug" },
        ],
      },
      { file: "hello.ts", pattern: "/api/hello", segments: [{ kind: "static", value: "hello" }] },
      { file: "index.ts", pattern: "/api", segments: [] },
      { file: "x/index.ts", pattern: "/api/x", segments: [{ kind: "static", value: "x" }] },
    ]);
    expect(routes[1].absoluteFile).toBe(path.join(fixture("routing-static"), "hello.ts"));
    expect(typeof routes[1].handler).toBe("function");
  });

  it("writes patterns under the prefix it is given", async () => {
    const routes = await load(fixture("routing-static"), "/v2");
    expect(routes.map((r) => r.pattern)).toEqual([
      "/v2/docs/[...slug]",
      "/v2/hello",
      "/v2",
      "/v2/x",
    ]);
  });

  it("resolves each route's config once, with the default body limit where none is set", async () => {
    const routes = await load(fixture("formats"));
    const settings = Object.fromEntries(routes.map((r) => [r.file, r.settings.bodyParser]));
    expect(settings).toMatchObject({
      "cjs-js.js": { limit: 1024 * 1024, limitText: "1mb" },
      "cjs.cjs": false,
      "compiled.js": { limit: 10, limitText: "10b" },
      "esm.mjs": false,
      "typescript.ts": { limit: 5, limitText: "5b" },
    });
  });

  it("never imports _-prefixed files and folders, tests, declarations or dot folders", async () => {
    // Each of those files throws when imported, so loading at all proves none was.
    const routes = await load(fixture("loader-private"));
    expect(routes.map((r) => r.file)).toEqual(["ok.ts"]);
  });
});

describe("loadRoutes: start-up errors name the file and the fix", () => {
  it("reports a module that throws on import, with its error, and nothing about the good files", async () => {
    const error = await loadError(fixture("loader-throws-on-import"));
    expect(error.problems).toEqual([
      {
        files: ["broken.ts"],
        reason: expect.stringMatching(
          /^throws on import: Error: broken\.ts throws on import on purpose/,
        ),
      },
    ]);
    expect(error.message).toContain(
      "  - broken.ts: throws on import: Error: broken.ts throws on import on purpose",
    );
    expect(error.message).not.toContain("fine.ts");
  });

  it("reports files without a default-exported function: a named export only, or a default object", async () => {
    const error = await loadError(fixture("loader-no-default"));
    expect(error.problems).toEqual([
      { files: ["default-object.ts"], reason: NO_HANDLER },
      { files: ["named-only.ts"], reason: NO_HANDLER },
    ]);
  });

  it("reports an invalid `export const config`, naming the key and what it accepts", async () => {
    const error = await loadError(fixture("loader-bad-config"));
    expect(error.problems).toEqual([
      {
        files: ["bad-config.ts"],
        reason:
          'invalid `config` export (config.api.bodyParser.sizeLimit: expected a size such as "1mb", "500kb" or a number of bytes)',
      },
    ]);
  });

  it("reports a ROUTES_DIR that does not exist", async () => {
    const missing = fixture("loader-no-such-folder");
    const error = await loadError(missing);
    expect(error.problems).toEqual([
      {
        files: [missing],
        reason:
          "the routes folder does not exist: create it, or point ROUTES_DIR at an existing folder",
      },
    ]);
  });

  it("reports a ROUTES_DIR that is a file", async () => {
    const file = path.join(fixture("loader-private"), "ok.ts");
    const error = await loadError(file);
    expect(error.problems).toEqual([
      {
        files: [file],
        reason: expect.stringMatching(/^is a file, not the routes folder: point ROUTES_DIR at/),
      },
    ]);
  });

  it("reports every problem in the tree at once: names, conflicts, imports, handlers and config", async () => {
    const error = await loadError(fixture("loader-many-problems"));
    expect(error.problems).toEqual([
      { files: ["[oops.ts"], reason: expect.stringMatching(/^"\[oops" is not a valid segment/) },
      { files: ["[id].ts", "[slug].ts"], reason: expect.stringMatching(/^different param names/) },
      {
        files: ["users.ts", "users/index.ts"],
        reason: expect.stringMatching(/^both serve \/api\/users:/),
      },
      {
        files: ["bad-config.ts"],
        reason: expect.stringMatching(
          /^invalid `config` export \(config\.api\.bodyParser\.sizeLimit:/,
        ),
      },
      {
        files: ["broken.ts"],
        reason: expect.stringMatching(
          /^throws on import: Error: broken\.ts throws on import on purpose/,
        ),
      },
      { files: ["named-only.ts"], reason: NO_HANDLER },
    ]);
    expect(error.message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(6);
  });

  it("names a dangling link to a route file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "nextpress-load-"));
    try {
      await fs.symlink(path.join(dir, "missing.js"), path.join(dir, "gone.js"));
      const error = await loadError(dir);
      expect(error.problems).toEqual([
        { files: ["gone.js"], reason: expect.stringMatching(/^throws on import: .*gone\.js/s) },
      ]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("createApp: start-up errors", () => {
  it.each([
    [
      "loader-throws-on-import",
      /broken\.ts: throws on import: Error: broken\.ts throws on import on purpose/,
    ],
    [
      "loader-no-default",
      /named-only\.ts: has no default-exported function and no method exports: add `export default function handler/,
    ],
    [
      "loader-bad-config",
      /bad-config\.ts: invalid `config` export \(config\.api\.bodyParser\.sizeLimit: expected a size/,
    ],
    [
      "loader-no-such-folder",
      /loader-no-such-folder: the routes folder does not exist: create it, or point ROUTES_DIR/,
    ],
    [
      "loader-many-problems",
      /\[oops\.ts: [^]*\[id\]\.ts and \[slug\]\.ts: [^]*users\.ts and users\/index\.ts: [^]*named-only\.ts: /,
    ],
  ])("%s rejects with a RouteLoadError naming the file", async (scenario, message) => {
    const built = buildTestApp(scenario);
    await expect(built).rejects.toThrow(RouteLoadError);
    await expect(built).rejects.toThrow(message);
  });

  it("serves a tree whose helpers would throw if imported, and 404s their paths", async () => {
    const { app } = await buildTestApp("loader-private");
    const ok = await request(app).get("/api/ok");
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ file: "ok.ts", query: {} });
    for (const url of [
      "/api/_shared",
      "/api/_lib/helper",
      "/api/ok.test",
      "/api/.hidden/secret",
      "/api/types.d",
    ]) {
      const res = await request(app).get(url);
      expect([url, res.status, res.body]).toEqual([url, 404, { message: "Not Found" }]);
    }
  });
});
