/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "<rootDir>/test/environment.js",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
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
  testTimeout: 20000,
  globalSetup: "<rootDir>/test/global-setup.js",
  globalTeardown: "<rootDir>/test/global-teardown.js",
};
