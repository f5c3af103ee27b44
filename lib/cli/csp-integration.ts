import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { contentHash, linkStylesheet, rewriteStaticHtml, styleClassesCss } from './csp/static-html.ts';

/** Every `.html` file under `dir`, recursively. */
async function htmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await htmlFiles(path)));
    else if (entry.name.endsWith('.html')) out.push(path);
  }
  return out;
}

/**
 * An Astro integration that makes the built site run under a strict Content-Security-Policy
 * (site/csp.ts): on `astro:build:done` it rewrites every page with rewriteStaticHtml — inline
 * scripts and `<style>` blocks become files under `_astro/`, style attributes outside islands
 * become classes of one stylesheet `_astro/static-styles.<hash>.css`, linked from each page that
 * uses it — and fails the build, naming the page and the element, when anything a strict policy
 * blocks is left (a style attribute inside an island, an inline event handler, a `javascript:` URL).
 * `astro dev` is untouched: the policy is only sent with the built site.
 */
export function cspIntegration(): AstroIntegration {
  let base = '/';
  return {
    name: 'unrolled-csp',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base;
      },
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const pages = await htmlFiles(root);
        const files = new Map<string, string>();
        const classes = new Map<string, string>();
        const rewritten = new Map<string, { html: string; usesClasses: boolean }>();
        const problems: string[] = [];
        for (const page of pages) {
          const result = rewriteStaticHtml(await readFile(page, 'utf8'), base);
          for (const [name, body] of result.files) files.set(name, body);
          for (const [name, style] of result.styleClasses) {
            const known = classes.get(name);
            if (known !== undefined && known !== style) throw new Error(`two styles share the class ${name}: "${known}" and "${style}"`);
            classes.set(name, style);
          }
          problems.push(...result.problems.map((p) => `${page.slice(root.length)}: ${p}`));
          rewritten.set(page, { html: result.html, usesClasses: result.styleClasses.size > 0 });
        }
        if (problems.length > 0) {
          throw new Error(
            `the built pages break the Content-Security-Policy (site/csp.ts):\n${problems.slice(0, 40).join('\n')}${problems.length > 40 ? `\n… and ${problems.length - 40} more` : ''}`,
          );
        }
        const css = styleClassesCss(classes);
        const cssName = `_astro/static-styles.${contentHash(css)}.css`;
        files.set(cssName, css);
        for (const [name, body] of files) {
          await mkdir(dirname(join(root, name)), { recursive: true });
          await writeFile(join(root, name), body);
        }
        const href = `${base.endsWith('/') ? base : `${base}/`}${cssName}`;
        for (const [page, { html, usesClasses }] of rewritten) {
          await writeFile(page, usesClasses ? linkStylesheet(html, href) : html);
        }
        logger.info(
          `${pages.length} pages: ${files.size - 1} inline scripts and styles moved to files, ${classes.size} style attributes turned into classes of ${cssName}`,
        );
      },
    },
  };
}
