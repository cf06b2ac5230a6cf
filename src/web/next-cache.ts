// What `import … from "next/cache"` gives a route file under nextpress (see loader/module-aliases.ts):
// Next's functions as they behave on a server with no cache store (nothing is cached, so there is
// nothing to revalidate), with the errors Next throws where calling them is a mistake.
// Next's source: packages/next/src/server/web/spec-extension/{revalidate,unstable-cache,
// unstable-no-store}.ts and server/use-cache/{cache-life,cache-tag}.ts.
import { insideWebRequest } from "./request-store";

/** Next's NEXT_CACHE_SOFT_TAG_MAX_LENGTH: longer paths are refused with a warning. */
const MAX_PATH_LENGTH = 1024;

type CacheLifeProfile = { stale?: number; revalidate?: number; expire?: number };

/** As Next's `revalidate()`: only inside a request of an app route (its work store), else Next's invariant. */
function revalidate(expression: string): void {
  if (!insideWebRequest())
    throw new Error(`Invariant: static generation store missing in ${expression}`);
}

/**
 * Next's `revalidatePath`: nothing is cached here, so nothing to purge. Throws, as Next does,
 * outside an app route's request (a pages API route, module scope).
 *
 * @example
 * revalidatePath("/blog"); // in app/api/posts/route.ts after a write
 */
export function revalidatePath(originalPath: string, type?: "layout" | "page"): void {
  if (originalPath.length > MAX_PATH_LENGTH) {
    console.warn(
      `Warning: revalidatePath received "${originalPath}" which exceeded max length of ${MAX_PATH_LENGTH}. See more info here https://nextjs.org/docs/app/api-reference/functions/revalidatePath`,
    );
    return;
  }
  if (!type && /\/\[[^/]+\](?=\/|$)/.test(originalPath)) {
    console.warn(
      `Warning: a dynamic page path "${originalPath}" was passed to "revalidatePath", but the "type" parameter is missing. This has no effect by default, see more info here https://nextjs.org/docs/app/api-reference/functions/revalidatePath`,
    );
  }
  revalidate(`revalidatePath ${originalPath}`);
}

/** Next's `revalidateTag(tag, profile)`: a no-op in a request (no cache), with Next 16's warning when `profile` is missing. */
export function revalidateTag(tag: string, profile?: string | CacheLifeProfile): void {
  if (!profile) {
    console.warn(
      '"revalidateTag" without the second argument is now deprecated, add second argument of "max" or use "updateTag". See more info here: https://nextjs.org/docs/messages/revalidate-tag-single-arg',
    );
  }
  revalidate(`revalidateTag ${tag}`);
}

/** Next's `updateTag`: only for Server Actions, which a route handler never is; it throws as in Next. */
export function updateTag(tag: string): never {
  throw new Error(
    "updateTag can only be called from within a Server Action. " +
      "To invalidate cache tags in Route Handlers or other contexts, use revalidateTag instead. " +
      `See more info here: https://nextjs.org/docs/app/api-reference/functions/updateTag (updateTag ${tag})`,
  );
}

/**
 * Next's `unstable_cache`, with no store to keep results in: the returned function calls `cb`
 * with its arguments every time and resolves to its result (always a Promise, as Next's).
 *
 * @example
 * const getUser = unstable_cache(async (id: string) => db.user(id), ["user"], { tags: ["users"] });
 */
export function unstable_cache<A extends unknown[], R>(
  cb: (...args: A) => R | Promise<R>,
  keyParts?: string[],
  options: { revalidate?: number | false; tags?: string[] } = {},
): (...args: A) => Promise<R> {
  void keyParts;
  if (options.revalidate === 0) {
    throw new Error(
      `Invariant revalidate: 0 can not be passed to unstable_cache(), must be "false" or "> 0" ${cb.toString()}`,
    );
  }
  const revalidateSeconds = options.revalidate;
  if (revalidateSeconds !== undefined && revalidateSeconds !== false) {
    if (
      typeof revalidateSeconds !== "number" ||
      Number.isNaN(revalidateSeconds) ||
      revalidateSeconds < 0
    )
      throw new Error(
        `Invalid revalidate value "${String(revalidateSeconds)}" on "unstable_cache ${cb.name || cb.toString()}", must be a non-negative number or false`,
      );
  }
  return async (...args) => cb(...args);
}

/** Next's `unstable_noStore` (and `connection()`'s older form): every answer here is dynamic already. */
export function unstable_noStore(): void {}

/**
 * Next's `cacheLife` for a `"use cache"` function. nextpress has no `"use cache"` (such a function
 * just runs), so this checks its argument as Next does and keeps nothing.
 */
export function cacheLife(profile: string | CacheLifeProfile): void {
  if (
    typeof profile !== "string" &&
    (typeof profile !== "object" || profile === null || Array.isArray(profile))
  )
    throw new Error("Invalid `cacheLife()` option. Either pass a profile name or object.");
}

/** Next's `cacheTag` for a `"use cache"` function: nothing is cached here, so the tags are dropped. */
export function cacheTag(...tags: string[]): void {
  void tags;
}
