/** What NextURL reads of next.config (`server/web/next-url.ts` in Next). */
export interface NextURLOptions {
  base?: string | URL;
  nextConfig?: { basePath?: string; trailingSlash?: boolean };
}

const kBasePath: unique symbol = Symbol("nextpress.basePath") as never;
const kOptions: unique symbol = Symbol("nextpress.nextUrlOptions") as never;

function hasPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * Next's `NextURL` (`request.nextUrl`) for a standalone server: a WHATWG URL whose `pathname`
 * is without next.config's `basePath` and whose `basePath` is it (when the path starts with it),
 * while `href` and `toString()` keep it, as in Next. No i18n, no build id; `clone()` keeps the
 * options.
 *
 * @example
 * const url = new NextURL("http://h/base/api/x", { nextConfig: { basePath: "/base" } });
 * url.pathname; // "/api/x"
 * url.basePath; // "/base"
 * url.href; // "http://h/base/api/x"
 */
export class NextURL extends URL {
  declare [kBasePath]: string;
  declare [kOptions]: NextURLOptions;
  readonly buildId: string | undefined = undefined;
  readonly locale = "";
  readonly defaultLocale: string | undefined = undefined;
  readonly domainLocale: undefined = undefined;

  constructor(
    input: string | URL,
    baseOrOptions?: string | URL | NextURLOptions,
    opts?: NextURLOptions,
  ) {
    const hasBase = typeof baseOrOptions === "string" || baseOrOptions instanceof URL;
    const options = (hasBase ? opts : baseOrOptions) ?? {};
    super(input, hasBase ? baseOrOptions : options.base);
    this[kOptions] = options;
    takeBasePath(this);
  }

  get basePath(): string {
    return this[kBasePath];
  }

  set basePath(value: string) {
    this[kBasePath] = value.startsWith("/") || value === "" ? value : `/${value}`;
  }

  override toString(): string {
    return this.href;
  }

  override toJSON(): string {
    return this.href;
  }

  clone(): NextURL {
    return new NextURL(this.href, this[kOptions]);
  }
}

/** The configured basePath off the pathname, when the path starts with it (Next's getNextPathnameInfo). */
function takeBasePath(url: NextURL): void {
  const basePath = url[kOptions].nextConfig?.basePath ?? "";
  const found = basePath !== "" && hasPrefix(url.pathname, basePath);
  url[kBasePath] = found ? basePath : "";
  if (found) url.pathname = url.pathname.slice(basePath.length) || "/";
}

/** The path with the basePath in front, as Next formats it (`/base` rather than `/base/`). */
function fullPathname(url: NextURL): string {
  const pathname = url.pathname;
  if (!url.basePath) return pathname;
  if (pathname === "/" && !url[kOptions].nextConfig?.trailingSlash) return url.basePath;
  return url.basePath + pathname;
}

// URL declares `href` as a property, so a subclass cannot override it as an accessor in
// TypeScript: it is defined here, over URL.prototype's.
Object.defineProperty(NextURL.prototype, "href", {
  get(this: NextURL): string {
    return `${this.protocol}//${this.host}${fullPathname(this)}${this.search}${this.hash}`;
  },
  set(this: NextURL, value: string) {
    Reflect.set(URL.prototype, "href", value, this);
    takeBasePath(this);
  },
  configurable: true,
  enumerable: true,
});
