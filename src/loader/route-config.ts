import type { z } from "zod";
import { InvalidRouteError } from "../errors";
import type { UploadSettings } from "../http/request-state";
import { MULTIPART_CAPS } from "../next/multipart";
import { parseRate, RATE_MESSAGE, type Rate } from "../rate";
import { isSize, SIZE_MESSAGE, toBytes } from "../size";
import type { PageConfig } from "../types";
import { zod } from "../validation/zod";

/** Next's default `responseLimit`: a warning, never a cut, past 4 MiB. */
export const RESPONSE_LIMIT_DEFAULT = 4 * 1024 * 1024;

/** The schemas of what a route exports, built with zod on first use (validation/zod.ts). */
function buildSchemas(z: typeof import("zod").z) {
  const size = z
    .union([z.number(), z.string()], { error: SIZE_MESSAGE })
    .refine(isSize, SIZE_MESSAGE);

  // A route's own `rateLimit`: `"10/1m"`, or false for none (RATE_LIMIT does not apply to it either).
  const routeRateLimit = z
    .union([z.literal(false), z.string()], { error: `${RATE_MESSAGE}, or false` })
    .transform((value, ctx): Rate | false => {
      if (value === false) return false;
      const rate = parseRate(value);
      if (rate) return rate;
      ctx.addIssue({ code: "custom", message: `${RATE_MESSAGE}, or false` });
      return z.NEVER;
    });

  // `readMultipart`'s limits for one route: `config.multipart` (pages), `export const multipart` (app).
  const multipartOptions = z.strictObject(
    {
      fileSize: size.optional(),
      files: z.int().min(0).optional(),
      parts: z.int().min(1).optional(),
      fieldSize: size.optional(),
      toDisk: z.boolean().optional(),
    },
    { error: "expected { fileSize, files, parts, fieldSize, toDisk }" },
  );

  const pageConfig = z
    .object({
      api: z
        .object({
          bodyParser: z
            .union([z.boolean(), z.object({ sizeLimit: size.optional() }).loose()], {
              error: "expected true, false or { sizeLimit }",
            })
            .optional(),
          responseLimit: z
            .union([z.boolean(), size], { error: 'expected true, false or a size such as "4mb"' })
            .optional(),
          externalResolver: z.boolean().optional(),
        })
        .loose()
        .optional(),
      middleware: z
        .object({ inherit: z.boolean() }, { error: "expected { inherit: boolean }" })
        .loose()
        .optional(),
      rateLimit: routeRateLimit.optional(),
      maxDuration: z.number({ error: "expected a number of seconds" }).min(0).optional(),
      multipart: multipartOptions.optional(),
    })
    .loose();

  return { size, routeRateLimit, multipartOptions, pageConfig };
}

let schemas: ReturnType<typeof buildSchemas> | undefined;

/** zod schemas for `size`, a route's `rateLimit`, `multipart` and pages `config`. */
export function routeConfigSchemas(): ReturnType<typeof buildSchemas> {
  return (schemas ??= buildSchemas(zod()));
}

export type MultipartOptions = z.input<ReturnType<typeof routeConfigSchemas>["multipartOptions"]>;

const MIB = 1024 * 1024;

/**
 * A route's upload settings: its own limits over the defaults (files no bigger than the body
 * limit, 1,000 parts, fields of at most 1 MiB or the body limit, in memory).
 */
export function resolveUploadSettings(
  options: MultipartOptions | undefined,
  bodyLimitBytes: number,
  tmpDir: string,
): UploadSettings {
  const fileSize = options?.fileSize === undefined ? bodyLimitBytes : toBytes(options.fileSize);
  const fieldSize =
    options?.fieldSize === undefined ? Math.min(bodyLimitBytes, MIB) : toBytes(options.fieldSize);
  return Object.freeze({
    fileSize,
    files: options?.files ?? MULTIPART_CAPS.parts,
    parts: options?.parts ?? MULTIPART_CAPS.parts,
    fieldSize,
    otherBytes: bodyLimitBytes,
    toDisk: options?.toDisk ?? false,
    tmpDir,
  });
}

/** What a route's `config` means at request time, resolved once at start-up. */
export interface RouteSettings {
  /** `false`: the body stream is left for the handler. */
  readonly bodyParser: false | { readonly limit: number; readonly limitText: string };
  readonly responseLimit: number | false;
  readonly externalResolver: boolean;
  /** false: the folders' `_middleware` do not apply (config.middleware.inherit). */
  readonly inheritMiddleware: boolean;
  /** The route's own rate limit (`config.rateLimit`, an app route's `export const rateLimit`); false: none; undefined: RATE_LIMIT's. */
  readonly rateLimit?: Rate | false;
  /** `config.maxDuration` in seconds; undefined: MAX_DURATION_S. */
  readonly maxDuration?: number;
  /** `config.multipart`: readMultipart's limits; a multipart body is then left unread for it. */
  readonly multipart?: MultipartOptions;
}

/** `config.api.responseLimit`: false (none), true (Next's default) or a size. */
function toResponseLimit(limit: boolean | number | string): false | number {
  if (limit === false) return false;
  return limit === true ? RESPONSE_LIMIT_DEFAULT : toBytes(limit);
}

/** Validates a route's exported `config`; the error message lists what is wrong. */
export function resolveRouteSettings(config: unknown, defaultBodyLimit: string): RouteSettings {
  // Most routes export no config: one shared, frozen answer per default limit, no parsing.
  if (config === undefined || config === null) return defaultSettings(defaultBodyLimit);
  const parsed = routeConfigSchemas().pageConfig.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${["config", ...i.path].join(".")}: ${i.message}`,
    );
    throw new InvalidRouteError(`invalid \`config\` export (${issues.join("; ")})`);
  }
  return settingsOf(parsed.data, defaultBodyLimit);
}

/** The settings of a `config` that passed its schema (or of none: `{}`). */
function settingsOf(data: ParsedPageConfig, defaultBodyLimit: string): RouteSettings {
  const api: NonNullable<PageConfig["api"]> = data.api ?? {};
  let bodyParser: RouteSettings["bodyParser"] = false;
  if (api.bodyParser !== false) {
    const sizeLimit = typeof api.bodyParser === "object" ? api.bodyParser.sizeLimit : undefined;
    const limitText = sizeLimit === undefined ? defaultBodyLimit : String(sizeLimit);
    bodyParser = { limit: toBytes(sizeLimit ?? defaultBodyLimit), limitText };
  }
  const { responseLimit = true } = api;
  return Object.freeze({
    bodyParser,
    responseLimit: toResponseLimit(responseLimit),
    externalResolver: api.externalResolver === true,
    inheritMiddleware: data.middleware?.inherit !== false,
    rateLimit: data.rateLimit,
    maxDuration: data.maxDuration,
    multipart: data.multipart,
  });
}

type ParsedPageConfig = z.output<ReturnType<typeof routeConfigSchemas>["pageConfig"]>;

const defaults = new Map<string, RouteSettings>();

function defaultSettings(defaultBodyLimit: string): RouteSettings {
  let settings = defaults.get(defaultBodyLimit);
  if (!settings) defaults.set(defaultBodyLimit, (settings = settingsOf({}, defaultBodyLimit)));
  return settings;
}
