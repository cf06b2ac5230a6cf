/** The Debian packages the system tier uses (scripts/ensure-system-packages.js). */
export type SystemPackage = "nginx-light" | "chromium" | "postgresql" | "redis-server";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, shared with jest's global setup
const packages = require("../../scripts/ensure-system-packages.js") as {
  requireSystemPackage: (name: SystemPackage) => void;
};

/** Fails the calling test with one line naming the missing package and how to install it. */
export function requireSystemPackage(name: SystemPackage): void {
  packages.requireSystemPackage(name);
}
