import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { serialize, type SerializeOptions } from "cookie";

/** What a preview cookie seals: the data, and when it stops being valid. */
/** What `seal` wrote: `{ data, expires? }` (JSON leaves `data` out when it is undefined). */
function isSealedPayload(value: unknown): value is { data?: unknown; expires?: number } {
  if (typeof value !== "object" || value === null) return false;
  const { expires } = value as { expires?: unknown };
  return expires === undefined || typeof expires === "number";
}

// Next's preview and draft mode at the HTTP level (packages/next/src/server/api-utils): the same
// cookie names and attributes, the preview data sealed with a key derived from PREVIEW_SECRET
// (AES-256-GCM: encrypted and authenticated) instead of Next's build-time keys.

export const BYPASS_COOKIE = "__prerender_bypass";
const DATA_COOKIE = "__next_preview_data";

/** Browsers drop cookies over 4 KB; Next refuses preview data over 2 KB of cookie. */
const MAX_DATA_COOKIE = 2048;

export interface PreviewKeys {
  /** The value of `__prerender_bypass`: it proves the cookie was set by this server (its secret). */
  readonly previewModeId: string;
  readonly encryptionKey: Buffer;
  /** False when the keys are random (no PREVIEW_SECRET): cookies then die with the process. */
  readonly fromSecret: boolean;
  /** In development Next sets `SameSite=Lax` without `Secure` (plain http://localhost). */
  readonly development: boolean;
}

/** The keys for a secret (PREVIEW_SECRET), or random ones for this process only. */
export function createPreviewKeys(secret: string | undefined, development: boolean): PreviewKeys {
  const material = secret ?? randomBytes(32).toString("hex");
  return {
    previewModeId: createHmac("sha256", material).update("nextpress preview mode id").digest("hex"),
    encryptionKey: Buffer.from(hkdfSync("sha256", material, "nextpress", "preview data", 32)),
    fromSecret: secret !== undefined,
    development,
  };
}

/** Next's attributes of both preview cookies: HttpOnly, SameSite=None and Secure (Lax, not Secure, in development). */
export function previewCookieOptions(
  keys: PreviewKeys,
  extra: Pick<SerializeOptions, "expires" | "maxAge" | "path"> = {},
) {
  return {
    httpOnly: true,
    sameSite: keys.development ? ("lax" as const) : ("none" as const),
    secure: !keys.development,
    path: "/",
    ...extra,
  };
}

function appendSetCookie(res: ServerResponse, lines: string[]): void {
  const previous = res.getHeader("Set-Cookie");
  res.setHeader("Set-Cookie", [
    ...(previous === undefined ? [] : [previous].flat().map(String)),
    ...lines,
  ]);
}

function seal(keys: PreviewKeys, data: unknown, maxAge: number | undefined): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.encryptionKey, iv);
  const expires = maxAge === undefined ? undefined : Date.now() + maxAge * 1000;
  const body = Buffer.concat([
    cipher.update(JSON.stringify({ data, expires }), "utf8"),
    cipher.final(),
  ]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

function unseal(keys: PreviewKeys, token: string): { data: unknown } | undefined {
  try {
    const raw = Buffer.from(token, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", keys.encryptionKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString(
      "utf8",
    );
    const payload: unknown = JSON.parse(text);
    if (!isSealedPayload(payload)) return undefined;
    const { data, expires } = payload;
    return expires !== undefined && expires < Date.now() ? undefined : { data };
  } catch {
    return undefined;
  }
}

/** `res.setPreviewData(data, { maxAge, path })`: both cookies, the data sealed. */
export function setPreviewData(
  res: ServerResponse,
  keys: PreviewKeys,
  data: unknown,
  options: { maxAge?: number; path?: string } = {},
): void {
  const token = seal(keys, data, options.maxAge);
  const extra: SerializeOptions = {
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  };
  const dataCookie = serialize(DATA_COOKIE, token, previewCookieOptions(keys, extra));
  if (dataCookie.length > MAX_DATA_COOKIE) {
    throw new Error(
      "Preview data is limited to 2KB currently, reduce how much data you are storing as preview data to continue",
    );
  }
  appendSetCookie(res, [
    serialize(BYPASS_COOKIE, keys.previewModeId, previewCookieOptions(keys, extra)),
    dataCookie,
  ]);
}

/** `res.clearPreviewData({ path })`: both cookies expired. */
export function clearPreviewData(
  res: ServerResponse,
  keys: PreviewKeys,
  options: { path?: string } = {},
): void {
  const extra: SerializeOptions = {
    expires: new Date(0),
    ...(options.path !== undefined ? { path: options.path } : {}),
  };
  appendSetCookie(res, [
    serialize(BYPASS_COOKIE, "", previewCookieOptions(keys, extra)),
    serialize(DATA_COOKIE, "", previewCookieOptions(keys, extra)),
  ]);
}

/** The `Set-Cookie` line of `setDraftMode({ enable })`. */
function draftModeCookie(keys: PreviewKeys, enable: boolean): string {
  return serialize(
    BYPASS_COOKIE,
    keys.previewModeId,
    previewCookieOptions(keys, enable ? {} : { expires: new Date(0) }),
  );
}

/** `res.setDraftMode({ enable })`: the bypass cookie set, or expired. */
export function setDraftMode(
  res: ServerResponse,
  keys: PreviewKeys,
  options: { enable?: boolean } = { enable: true },
): void {
  appendSetCookie(res, [draftModeCookie(keys, options.enable !== false)]);
}

function cookieValue(
  cookies: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const value = cookies[name];
  return value === "" ? undefined : value;
}

/**
 * `req.previewData` as Next's tryGetPreviewData reads it: `{}` in draft mode (the bypass cookie
 * alone), the data in preview mode, false otherwise; cookies that do not belong together, or to
 * this server's secret, are cleared.
 */
export function readPreviewData(
  cookies: Record<string, string | undefined>,
  res: ServerResponse,
  keys: PreviewKeys,
): unknown {
  const bypass = cookieValue(cookies, BYPASS_COOKIE);
  const token = cookieValue(cookies, DATA_COOKIE);
  if (bypass && !token && bypass === keys.previewModeId) return {};
  if (!bypass && !token) return false;
  const sealed = bypass === keys.previewModeId && token ? unseal(keys, token) : undefined;
  if (!sealed) {
    if (!res.headersSent) clearPreviewData(res, keys);
    return false;
  }
  return sealed.data;
}
