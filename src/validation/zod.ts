import type { z as Z } from "zod";

let loaded: typeof Z | undefined;

/**
 * zod, loaded on first use: by the first route that exports a `config`, segment options or a
 * `schema`, or by the OpenAPI document. Loading it costs about 50 ms and 5 MB (Node 24), which a
 * server whose routes validate nothing no longer pays at start-up.
 */
export function zod(): typeof Z {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see above)
  return (loaded ??= (require("zod") as typeof import("zod")).z);
}
