// Two tiers (test/tiers.js decides which file is which): `unit` runs in process on every core and
// needs nothing but `npm ci`; `system` starts real processes and needs dist/ and Debian's packages,
// which its global setup provides. `npm run test:fast` / `npm run test:system` run one each.
const { splitTiers } = require("./test/tiers.js");

const tiers = splitTiers();
const file = (relative) => `<rootDir>/${relative}`;

/** @type {import('jest').Config} */
const shared = {
  rootDir: __dirname,
  testEnvironment: "<rootDir>/test/environment.js",
  roots: ["<rootDir>/test"],
  testPathIgnorePatterns: ["/node_modules/", "/test/fixtures/", "<rootDir>/dist"],
  moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
  transform: {
    "^.+\\.[mc]?ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  moduleNameMapper: {
    "^nextpress$": "<rootDir>/src/index.ts",
    // As the loader's aliases resolve them in the server (src/loader/module-aliases.ts).
    "^next/server(\\.js)?$": "<rootDir>/src/web/next-server.ts",
    "^next/headers(\\.js)?$": "<rootDir>/src/web/next-headers.ts",
    "^next/navigation(\\.js)?$": "<rootDir>/src/web/next-navigation.ts",
    "^next/cache(\\.js)?$": "<rootDir>/src/web/next-cache.ts",
  },
  // Route fixtures are imported with a real import(); jest must not watch or cover them.
  modulePathIgnorePatterns: ["<rootDir>/dist"],
  globalTeardown: "<rootDir>/test/global-teardown.js",
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 20000,
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: tiers.unit.map(file),
      globalSetup: "<rootDir>/test/global-setup-unit.js",
      setupFilesAfterEnv: ["<rootDir>/test/unit-guard.js"],
    },
    {
      ...shared,
      displayName: "system",
      testMatch: tiers.system.map(file),
      globalSetup: "<rootDir>/test/global-setup.js",
    },
  ],
};
