import { realpathSync, statSync } from "node:fs";
import Module, { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ApiError, type RouteLoadError } from "../errors";
import type { FailedFile } from "./protocol";

/** `text` without the stack frames of the errors it quotes: what a client is shown (the log keeps them). */
export function withoutStackFrames(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s+at /.test(line))
    .join("\n");
}

/** A loader's reason on one line, without stack frames. */
export function summarizeReason(reason: string): string {
  return withoutStackFrames(reason)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
}

/** What every URL served by (or below, for a `_middleware`) a failed file answers. */
export function failedFileMessage({ file, reason }: FailedFile): string {
  return `route file ${file} failed to load: ${summarizeReason(reason)}`;
}

function isRegularFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * The files of `error` that can be served as errors while the rest of the table works: each
 * problem names one existing file not already stubbed. Anything else (two files for one URL, a
 * bad file name, a missing folder, a stub that did not help) takes the whole table: undefined.
 */
export function findFailedFiles(
  error: RouteLoadError,
  routesDir: string,
  stubbed: readonly FailedFile[],
): FailedFile[] | undefined {
  const known = new Set(stubbed.map((failed) => failed.file));
  const failed: FailedFile[] = [];
  for (const problem of error.problems) {
    const [file, ...others] = problem.files;
    if (
      others.length > 0 ||
      known.has(file) ||
      path.isAbsolute(file) ||
      !isRegularFile(path.join(routesDir, file))
    )
      return undefined;
    failed.push({ file, reason: problem.reason });
  }
  return failed.length > 0 ? failed : undefined;
}

const STUB_FACTORY = Symbol.for("nextpress.dev.failedFile");

/** Every file stubbed in this process, for the ESM stubs to find their error. */
const stubbed = new Map<string, FailedFile>();

/** A module whose default export, as a handler or as a `_middleware`, answers the load error. */
function createFailedExport(failed: FailedFile) {
  const message = failedFileMessage(failed);
  return function failedToLoad(): never {
    throw new ApiError(500, message);
  };
}

// ESM files are import()ed: a load hook hands Node a stub module instead of the file.
const ESM_STUB_HOOKS = `
let stubs = new Map();
export function initialize(data) { stubs = new Map(data.stubs); }
export async function load(url, context, nextLoad) {
  const file = stubs.get(url.split("?")[0]);
  if (file === undefined) return nextLoad(url, context);
  const source = "export default globalThis[Symbol.for('nextpress.dev.failedFile')](" + JSON.stringify(file) + ");";
  return { format: "module", source, shortCircuit: true };
}`;

/**
 * Makes every failed file load as a stub that answers its error: CommonJS through require's
 * cache (at once, even where the file was tried already: require forgets a module that threw),
 * ESM through a module load hook (only in a process that has not imported the file yet: Node's
 * module map remembers a failure, so the worker then asks for a fresh one).
 */
export function installFailedFiles(routesDir: string, failed: readonly FailedFile[]): void {
  if (failed.length === 0) return;
  for (const entry of failed) stubbed.set(entry.file, entry);
  if (Reflect.get(globalThis, STUB_FACTORY) === undefined)
    Reflect.set(globalThis, STUB_FACTORY, (file: string) =>
      createFailedExport(stubbed.get(file) ?? { file, reason: "failed to load" }),
    );
  const esmStubs: [string, string][] = [];
  for (const entry of failed) {
    let real: string;
    try {
      real = realpathSync(path.join(routesDir, entry.file));
    } catch {
      continue; // Deleted since: the scan will not find it either.
    }
    const stub = new Module(real);
    stub.filename = real;
    stub.loaded = true;
    stub.exports = createFailedExport(entry);
    require.cache[real] = stub;
    esmStubs.push([pathToFileURL(real).href, entry.file]);
  }
  register(`data:text/javascript,${encodeURIComponent(ESM_STUB_HOOKS)}`, {
    data: { stubs: esmStubs },
  });
}
