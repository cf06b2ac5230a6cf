/**
 * Next's `NextURL` (`request.nextUrl`) for a standalone server: a WHATWG URL with Next's extra
 * fields at their defaults (no basePath, no i18n, no build id) and `clone()`.
 */
export class NextURL extends URL {
  readonly basePath = "";
  readonly buildId: string | undefined = undefined;
  readonly locale = "";
  readonly defaultLocale: string | undefined = undefined;
  readonly domainLocale: undefined = undefined;

  clone(): NextURL {
    return new NextURL(this.href);
  }
}
