import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRoutes } from "../../src/loader/load-routes";
import { documentRoutes, type OpenApiDocument } from "../../src/openapi";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";

const SPECTRAL = path.join(PROJECT_ROOT, "node_modules", ".bin", "spectral");
const RULESET = path.join(PROJECT_ROOT, ".spectral.yaml");

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number;
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-spectral-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function documentOf(routesDir: string): Promise<OpenApiDocument> {
  return documentRoutes(await loadRoutes(routesDir, { bodyLimit: "1mb" }), routesDir);
}

/**
 * @apidevtools/swagger-parser in its own process: it require()s an ES module, which Node 20.19+
 * allows and jest's module system does not.
 */
async function swaggerParserValidate(
  name: string,
  doc: unknown,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, `${name}.swagger-parser.json`);
  writeFileSync(file, JSON.stringify(doc));
  const script = `require("@apidevtools/swagger-parser").validate(process.argv[1]).then(() => console.log("valid"), (e) => { console.error(e.message); process.exit(1); })`;
  const run = spawnProcess(process.execPath, ["-e", script, file], {});
  return { code: await run.exited, stdout: run.stdout(), stderr: run.stderr() };
}

/** The real spectral CLI with the project's ruleset: every result, down to hints, and its exit code. */
async function spectralLint(
  name: string,
  doc: unknown,
): Promise<{ code: number | null; results: SpectralResult[]; stderr: string }> {
  const file = path.join(dir, `${name}.json`);
  const output = path.join(dir, `${name}.results.json`);
  writeFileSync(file, JSON.stringify(doc));
  const run = spawnProcess(
    SPECTRAL,
    [
      "lint",
      file,
      "--ruleset",
      RULESET,
      "--format",
      "json",
      "--output",
      output,
      "--fail-severity",
      "hint",
      "--quiet",
    ],
    {},
  );
  const code = await run.exited;
  return {
    code,
    results: JSON.parse(readFileSync(output, "utf8")) as SpectralResult[],
    stderr: run.stderr(),
  };
}

const trees: [string, string][] = [
  ["the sample routes", path.join(PROJECT_ROOT, "routes")],
  ["the richer fixture", fixture("openapi-rich")],
];

it("uses spectral's OpenAPI ruleset, nothing turned off", () => {
  expect(readFileSync(RULESET, "utf8").trim()).toBe('extends: ["spectral:oas"]');
});

describe.each(trees)("the document of %s", (_name, routesDir) => {
  let doc: OpenApiDocument;
  beforeAll(async () => (doc = await documentOf(routesDir)));

  it("validates with @apidevtools/swagger-parser", async () => {
    expect(await swaggerParserValidate(path.basename(routesDir), doc)).toStrictEqual({
      code: 0,
      stdout: "valid\n",
      stderr: "",
    });
  }, 60_000);

  it("passes `spectral lint` with zero errors, warnings, infos and hints", async () => {
    const { code, results, stderr } = await spectralLint(path.basename(routesDir), doc);
    expect({ results, stderr }).toStrictEqual({ results: [], stderr: "" });
    expect(code).toBe(0);
  }, 60_000);
});

it("spectral does report problems (the lint above is not vacuous)", async () => {
  const doc = await documentOf(fixture("openapi-rich"));
  const { contact: _contact, ...info } = doc.info;
  const broken = {
    ...doc,
    info,
    paths: {
      ...doc.paths,
      "/api/items": { get: { ...doc.paths["/api/items"].get, tags: ["undeclared"] } },
    },
  };
  const { code, results } = await spectralLint("broken", broken);
  expect(results.map((r) => r.code).sort()).toStrictEqual([
    "info-contact",
    "operation-tag-defined",
  ]);
  expect(code).not.toBe(0);
}, 60_000);

it("swagger-parser does reject an invalid document", async () => {
  const doc = await documentOf(fixture("openapi-rich"));
  const { code, stderr } = await swaggerParserValidate("invalid", {
    ...doc,
    paths: { "/api/x": { get: { responses: { "200": { content: {} } } } } },
  });
  expect(code).toBe(1);
  expect(stderr).toMatch(/description/);
}, 60_000);
