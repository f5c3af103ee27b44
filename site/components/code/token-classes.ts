import { bundledThemes, normalizeTheme } from 'shiki';
import type { ShikiTransformer } from 'shiki';

/**
 * Shiki's token colours as classes instead of `style="…"` attributes, which a strict
 * Content-Security-Policy (`style-src 'self'`, site/csp.ts) blocks. With `defaultColor: false`
 * Shiki writes each token's colours as custom properties (`--shiki-light:#D73A49;--shiki-dark:#F97583`);
 * the transformer turns each such declaration into a class (`sk-light-d73a49 sk-dark-f97583`) and
 * tokenClassesCss() is the stylesheet that sets the same properties — one rule for every colour and
 * font style the two themes have, so it is complete before any page is rendered. The styles that
 * read the properties (`color: var(--shiki-light)`) are in site/styles/global.css.
 */

/** The two themes every code block uses, chosen by prefers-color-scheme in site/styles/global.css. */
export const CODE_THEMES = { light: 'github-light', dark: 'github-dark' } as const;

/** The id Base.astro imports the stylesheet by (served by shikiTokenClassesVite). */
export const TOKEN_CLASSES_CSS_ID = 'virtual:shiki-token-classes.css';

const FONT_VALUES: Record<string, string[]> = {
  'font-style': ['italic', 'normal', 'inherit'],
  'font-weight': ['bold', 'normal', 'inherit'],
  'text-decoration': ['underline', 'line-through', 'underline line-through', 'none', 'inherit'],
};

/** The class for one declaration: `--shiki-light` + `#D73A49` → `sk-light-d73a49`. */
export function tokenClassName(property: string, value: string): string {
  const key = property.replace(/^--shiki-/, '');
  return `sk-${key}-${value
    .trim()
    .toLowerCase()
    .replace(/^#/, '')
    .replace(/[^a-z0-9]+/g, '_')}`;
}

/** Class name → declaration, for every property Shiki can write with CODE_THEMES. */
async function buildPalette(): Promise<Map<string, string>> {
  const palette = new Map<string, string>();
  const add = (property: string, value: string) => palette.set(tokenClassName(property, value), `${property}:${value.toLowerCase()}`);
  for (const [key, name] of Object.entries(CODE_THEMES)) {
    const theme = normalizeTheme((await bundledThemes[name]()).default);
    add(`--shiki-${key}`, theme.fg);
    add(`--shiki-${key}-bg`, theme.bg);
    for (const { settings } of theme.settings) {
      if (settings.foreground) add(`--shiki-${key}`, settings.foreground);
      if (settings.background) add(`--shiki-${key}-bg`, settings.background);
    }
    for (const [property, values] of Object.entries(FONT_VALUES)) for (const v of values) add(`--shiki-${key}-${property}`, v);
  }
  return palette;
}

const PALETTE = await buildPalette();

/** The stylesheet: `.sk-light-d73a49{--shiki-light:#d73a49}`, one rule a line. */
export function tokenClassesCss(): string {
  return [...PALETTE].map(([name, decl]) => `.${name}{${decl}}`).join('\n') + '\n';
}

/**
 * The transformer (pass it to every `codeToHtml` and to Astro's `shikiConfig.transformers`).
 * Other declarations (Astro's `overflow-x: auto` on Markdown's `<pre>`) stay in the style
 * attribute, for lib/cli/csp-integration.ts to move out of static pages. Throws on a `--shiki-`
 * declaration the stylesheet has no rule for, so a new theme or Shiki version cannot silently
 * lose colours.
 */
export function shikiTokenClasses(): ShikiTransformer {
  return {
    name: 'unrolled:token-classes',
    root(root) {
      const visit = (node: (typeof root.children)[number]): void => {
        if (node.type !== 'element') return;
        const style = node.properties.style;
        if (typeof style === 'string') {
          const classes: string[] = [];
          const rest: string[] = [];
          for (const decl of style
            .split(';')
            .map((d) => d.trim())
            .filter(Boolean)) {
            const colon = decl.indexOf(':');
            if (!decl.startsWith('--shiki-')) {
              rest.push(decl);
              continue;
            }
            const name = tokenClassName(decl.slice(0, colon), decl.slice(colon + 1));
            if (colon < 0 || !PALETTE.has(name)) throw new Error(`Shiki wrote a token style the token classes do not cover: "${decl}"`);
            classes.push(name);
          }
          // Shiki and Astro write `class` as a string property; hast's own name is `className`.
          const key = 'class' in node.properties ? 'class' : 'className';
          const existing = node.properties[key];
          const list = Array.isArray(existing)
            ? existing.map(String)
            : typeof existing === 'string'
              ? existing.split(/\s+/).filter(Boolean)
              : [];
          if (key === 'class') node.properties.class = [...list, ...classes].join(' ');
          else node.properties.className = [...list, ...classes];
          if (rest.length > 0) node.properties.style = rest.join(';');
          else delete node.properties.style;
        }
        for (const child of node.children) visit(child);
      };
      for (const child of root.children) visit(child);
    },
  };
}

/** A Vite plugin serving tokenClassesCss() as TOKEN_CLASSES_CSS_ID (dev and build). */
export function shikiTokenClassesVite(): { name: string; resolveId(id: string): string | undefined; load(id: string): string | undefined } {
  const resolved = `\0${TOKEN_CLASSES_CSS_ID}`;
  return {
    name: 'unrolled-shiki-token-classes',
    resolveId: (id) => (id === TOKEN_CLASSES_CSS_ID ? resolved : undefined),
    load: (id) => (id === resolved ? tokenClassesCss() : undefined),
  };
}
