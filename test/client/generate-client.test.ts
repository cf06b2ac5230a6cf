import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { clientFiles, writeClient, type ClientFiles } from "../../src/client";
import { loadRoutes } from "../../src/loader/load-routes";
import { fixture } from "../helpers/app";

const TREE = fixture("client-tree");

async function generate(): Promise<ClientFiles> {
  const routes = await loadRoutes(path.join(TREE, "routes"), {
    bodyLimit: "1mb",
    appDir: path.join(TREE, "app"),
  });
  return clientFiles(routes, path.join(TREE, "routes"));
}

/** tsc's diagnostics for `files` under strict settings a consumer might use (DOM types, no Node). */
function compile(
  files: string[],
  lib = ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  skipLibCheck = true,
) {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib,
    types: [],
    skipLibCheck,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

let files: ClientFiles;
let source: string;
let dir: string;
beforeAll(async () => {
  files = await generate();
  source = files["index.ts"] + files["api.d.ts"];
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-client-"));
  writeClient(path.join(dir, "client"), files);
  copyFileSync(fixture("client-consumer/consumer.ts"), path.join(dir, "consumer.ts"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the generated client", () => {
  it("imports nothing but its own types: no routes, no server code, no package (it can ship in a browser bundle)", () => {
    const imports = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]);
    expect(imports).toEqual(["./api.js", "./api.js"]);
    expect(source).not.toMatch(/\brequire\s*\(/);
    expect(source).not.toMatch(/\bimport\s*\(/);
  });

  it("has one method per operation of the document, pages, edge and app routes alike", () => {
    const names = [...files["api.d.ts"].matchAll(/^ {2}(\w+)\(input\??:/gm)].map((m) => m[1]);
    expect(names).toEqual(
      expect.arrayContaining([
        "listNotes",
        "createNote",
        "getNote",
        "deleteNote",
        "adminStats",
        "getApiFilesByPath",
        "getApiPagesBySlug",
        "getApiEdgeHello",
        "getApiThingsById",
        "getApiEvents",
      ]),
    );
  });

  it("compiles alone under strict settings with DOM types only, its declarations checked too", () => {
    expect(compile([path.join(dir, "client", "index.ts")], undefined, false)).toEqual([]);
  });

  it("types a consumer: statuses narrow, wire types, Next's params; every @ts-expect-error holds", () => {
    expect(compile([path.join(dir, "consumer.ts")])).toEqual([]);
  });

  it("fails the consumer when an expected error no longer holds (the check is real)", () => {
    const consumer = readFileSync(path.join(dir, "consumer.ts"), "utf8").replace(
      "// @ts-expect-error -- a catch-all needs at least one segment",
      "",
    );
    writeFileSync(path.join(dir, "broken.ts"), consumer);
    expect(compile([path.join(dir, "broken.ts")]).join("\n")).toMatch(
      /broken\.ts: Type '\[\]' is not assignable to type 'readonly \[string, \.\.\.string\[\]\]'/,
    );
  });
});
