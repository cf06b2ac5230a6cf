/**
 * An error whose status and message reach the client, as Next's own `ApiError`.
 * Any other error becomes 500 "Internal Server Error" and is only logged.
 *
 * @example
 * if (!user) throw new ApiError(404, "User not found"); // → 404 {"message":"User not found"}
 */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.statusCode = statusCode;
  }
}

// Shared by every copy of nextpress in a process (a route importing the TypeScript sources while
// the server runs the compiled ones): each recognises the others' ApiErrors.
const kApiError = Symbol.for("nextpress.ApiError");
Object.defineProperty(ApiError.prototype, kApiError, { value: true });

export function isApiError(error: unknown): error is ApiError {
  return (
    error instanceof ApiError || (typeof error === "object" && error !== null && kApiError in error)
  );
}

/** `error.message` of anything thrown (a value that is not an error: as a string). */
export function messageOf(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error)
    return String(error.message);
  return String(error);
}

/** A Node error's `code` (`ENOENT`, `MODULE_NOT_FOUND`, …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/** One problem with one or more route files, found while loading ROUTES_DIR. */
export interface RouteProblem {
  files: readonly string[];
  reason: string;
}

/** Start-up stops with every problem found in the routes folder, each naming its file(s). */
export class RouteLoadError extends Error {
  readonly problems: readonly RouteProblem[];

  constructor(routesDir: string, problems: readonly RouteProblem[]) {
    const lines = problems.map((p) => `  - ${p.files.join(" and ")}: ${p.reason}`);
    super(`Cannot load the routes in ${routesDir}:\n${lines.join("\n")}`);
    this.name = "RouteLoadError";
    this.problems = problems;
  }
}

/** A route file that Next would refuse: bad name, no handler, bad `config`. The loader adds the file. */
export class InvalidRouteError extends Error {}

/** A bad environment variable; the message names every one of them. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
