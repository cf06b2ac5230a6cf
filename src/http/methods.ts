/** The methods a route can export a handler for, in the order `Allow` lists them. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const KNOWN = new Set<string>(HTTP_METHODS);

export function isHttpMethod(method: string): method is HttpMethod {
  return KNOWN.has(method);
}
