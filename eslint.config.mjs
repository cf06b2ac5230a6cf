import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

// Type-aware rules run on the TypeScript the project compiles (tsconfig.json); fixtures are route
// files under test, written as users write them.
const TYPED_FILES = ["src/**/*.ts", "test/**/*.ts", "routes/**/*.ts", "app/**/*.ts", "*.ts"];

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "dist.*/",
      "node_modules/",
      "coverage/",
      "test/fixtures/**/*.{js,mjs,cjs}",
      "test/fixtures/real-*/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-nested-ternary": "error",
    },
  },
  {
    files: TYPED_FILES,
    ignores: ["test/fixtures/**"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        fetch: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  prettier,
);
