import path from "node:path";
import ts from "typescript";
import { codeBlocks, declaredPath, documentationFiles, type CodeBlock } from "../helpers/markdown";
import { PROJECT_ROOT } from "../helpers/process";

/**
 * Where a block is compiled: beside the file it says it is (`// routes/users.ts` → routes/, so
 * that its relative imports reach the real `_lib/`), under a name of its own; in routes/ when it
 * names no file.
 */
function virtualPath(block: CodeBlock, index: number): string {
  const declared = declaredPath(block) ?? "routes/example.ts";
  return path.join(
    PROJECT_ROOT,
    path.dirname(declared),
    `__docs_block_${index}__${path.basename(declared)}`,
  );
}

/** Every ```ts block of README.md and docs/, type-checked as one program with the project's tsconfig. */
function typeErrors(): string[] {
  const blocks = documentationFiles()
    .flatMap(codeBlocks)
    .filter((block) => block.lang === "ts" && !block.notChecked);
  const files = new Map(blocks.map((block, index) => [virtualPath(block, index), block]));
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT_ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (!config) throw new Error("tsconfig.json could not be read");
  // Examples name the parameters they don't read, as Next's own do (`handler(req, res)`): the
  // project's unused-name rules are for its code, not for what a reader copies.
  const options = {
    ...config.options,
    noEmit: true,
    sourceMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => files.get(path.resolve(file))?.code ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const block = files.get(path.resolve(file));
    return block
      ? ts.createSourceFile(file, block.code, language, true)
      : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host });
  const errors: string[] = [];
  for (const [file, block] of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} was not compiled`);
    for (const diagnostic of [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]) {
      const { line } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
      errors.push(`${block.file}:${block.line + 1 + line}: ${message}`);
    }
  }
  return errors;
}

describe("the TypeScript in README.md and docs/", () => {
  it("type-checks, strict, against the real nextpress and next/* modules, each block a module where it says it lives", () => {
    expect(typeErrors()).toEqual([]);
  }, 120_000);
});
