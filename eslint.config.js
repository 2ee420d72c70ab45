import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "dist-check/**", "node_modules/**", ".vitest/**", "**/*.mjs", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
      // One import statement per module (a type-only import beside a value import is fine).
      "no-duplicate-imports": ["error", { allowSeparateTypeImports: true }],
      // Backend methods are async without awaiting anything so that they reject rather than throw.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Each `declare module` block has its own imports; the rule sees one file.
    files: ["**/*.d.ts"],
    rules: { "no-duplicate-imports": "off" },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "no-console": "off" },
  },
  {
    // Prettier (printWidth 160) does not break strings, templates or comments; this keeps those lines short too.
    // Generated modules (codegen's output, compared byte for byte by tests) are exempt.
    files: ["**/*.ts", "**/*.tsx", "**/*.js"],
    ignores: ["examples/agents/*-project.ts", "test/types/typed-project.ts"],
    rules: { "max-len": ["error", { code: 160, ignoreUrls: true }] },
  },
);
