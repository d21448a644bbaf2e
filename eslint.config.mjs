// ESLint 9 flat config: typescript-eslint for correctness, @effect/eslint-plugin's dprint rule for formatting
// (the same formatter settings Effect's own repositories use), so `pnpm lint` both lints and checks format.
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/*.d.ts", "docs/**", ".lab/**", "**/.doc-examples/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly", URL: "readonly", AbortController: "readonly" }
    },
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
        message: "Use Effect's Random service so seeds govern every draw."
      }, {
        selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
        message: "Use Effect's Clock so TestClock governs time."
      }]
    }
  },
  {
    files: ["**/test/**", "**/bench/**", "**/*.config.ts"],
    rules: { "no-restricted-syntax": "off" }
  }
)
