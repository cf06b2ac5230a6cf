let registration: Promise<void> | undefined;

/**
 * Lets `import()` load raw `.ts` route files, through tsx's loader hooks (ESM and CommonJS).
 * Only called when a routes folder holds TypeScript; compiled routes never pay for it.
 */
export function ensureTypeScriptRuntime(): Promise<void> {
  registration ??= (async () => {
    const esm = await import("tsx/esm/api");
    esm.register();
    const cjs = await import("tsx/cjs/api");
    cjs.register();
  })();
  return registration;
}
