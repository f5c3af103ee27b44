/**
 * Prettier for the whole tree, set to the style the code was written in: single quotes,
 * semicolons, trailing commas, two-space indents and long lines (140 columns: the width that
 * rewrites the fewest existing lines). Markdown and MDX are left alone (see .prettierignore).
 * `npm run format` rewrites, `npm run lint` checks.
 * @type {import('prettier').Config}
 */
export default {
  printWidth: 140,
  singleQuote: true,
  semi: true,
  trailingComma: 'all',
  plugins: ['prettier-plugin-svelte', 'prettier-plugin-astro'],
  overrides: [
    { files: '*.svelte', options: { parser: 'svelte' } },
    { files: '*.astro', options: { parser: 'astro' } },
  ],
};
