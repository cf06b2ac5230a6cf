// next/navigation's server-side interrupts. Each throws an error carrying Next's own `digest`
// format, so the route runner recognises it whether it came from nextpress's shim or from a real
// `next` package the project also has installed.

export type RedirectType = "push" | "replace";
export const RedirectType = { push: "push", replace: "replace" } as const;

const REDIRECT = "NEXT_REDIRECT";
const HTTP_FALLBACK = "NEXT_HTTP_ERROR_FALLBACK";

interface DigestError extends Error {
  digest: string;
}

function interrupt(digest: string, message: string): never {
  const error = new Error(message) as DigestError;
  error.digest = digest;
  throw error;
}

/** 307 to `url` (303 is for server actions, which a standalone server has none of). */
export function redirect(url: string, type: RedirectType = "replace"): never {
  return interrupt(`${REDIRECT};${type};${url};307;`, REDIRECT);
}

/** 308 to `url`. */
export function permanentRedirect(url: string, type: RedirectType = "replace"): never {
  return interrupt(`${REDIRECT};${type};${url};308;`, REDIRECT);
}

export function notFound(): never {
  return interrupt(`${HTTP_FALLBACK};404`, `${HTTP_FALLBACK};404`);
}

export function forbidden(): never {
  return interrupt(`${HTTP_FALLBACK};403`, `${HTTP_FALLBACK};403`);
}

export function unauthorized(): never {
  return interrupt(`${HTTP_FALLBACK};401`, `${HTTP_FALLBACK};401`);
}

/** What an interrupt asks for: a redirect, or a bare status. */
export type Interrupt =
  { kind: "redirect"; status: number; location: string } | { kind: "status"; status: number };

/** The interrupt `error` stands for, or undefined for any other error. */
export function readInterrupt(error: unknown): Interrupt | undefined {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== "string") return undefined;
  if (digest.startsWith(`${REDIRECT};`)) {
    const parts = digest.split(";");
    const status = Number(parts.at(-2));
    const location = parts.slice(2, -2).join(";");
    if (!location || ![301, 302, 303, 307, 308].includes(status)) return undefined;
    return { kind: "redirect", status, location };
  }
  if (digest.startsWith(`${HTTP_FALLBACK};`)) {
    const status = Number(digest.slice(HTTP_FALLBACK.length + 1));
    if ([401, 403, 404].includes(status)) return { kind: "status", status };
  }
  return undefined;
}

/** Re-throws an interrupt so that a `try/catch` around it does not swallow it (Next's `unstable_rethrow`). */
export function unstable_rethrow(error: unknown): void {
  if (readInterrupt(error)) throw error;
}
