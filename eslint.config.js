// ESLint for the whole tree (flat config): ESLint's and typescript-eslint's recommended rules for
// .ts/.js, eslint-plugin-svelte's for .svelte and .svelte.ts, eslint-plugin-astro's for .astro;
// eslint-config-prettier last, so layout is Prettier's alone (`npm run lint` runs both).
// Not type-aware: typescript-eslint's type-checked rules take minutes on this tree, and
// `npm run typecheck` (astro check + svelte-check) already runs the type checker.
import { fileURLToPath } from 'node:url';
import { defineConfig, globalIgnores, includeIgnoreFile } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import astro from 'eslint-plugin-astro';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default defineConfig(
  // Generated or installed: whatever .gitignore lists (dist*, .astro, lib/wasm/gemm-binary.ts,
  // test-results, node_modules...). AssemblyScript is not TypeScript (`@inline function`).
  includeIgnoreFile(fileURLToPath(new URL('.gitignore', import.meta.url))),
  globalIgnores(['lib/wasm/assembly/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  astro.configs.recommended,
  {
    // lib/ runs in the page, in workers and in node (CLI, tests, benches); site/ in the browser.
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // `_` names a value that is there only to be skipped (`{#each xs as _, i}`, `[_, b] = pair`);
      // a rest sibling leaves out what it names (`const { outputPadding: _, ...rest } = opts`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  prettier,
  svelte.configs.prettier,
);
