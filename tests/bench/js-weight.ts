/**
 * JavaScript weight per page of the built site (dist/): every module a page can load — its
 * <script> tags, each island's component and renderer URLs, and everything those import
 * statically — gzipped and summed (the budget applies to it); `lazy KB` is what loads only later, through a
 * dynamic import() or a Web Worker (a cell's editor and kernel, the trainer's worker). Usage: `npm run build && npm run bench:weight`
 * (`-- --json` for JSON, `-- --dist DIR` for another build folder, `-- --budget KB` to fail above it).
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
};
const dist = resolve(flag('--dist') ?? 'dist');
const budgetKb = flag('--budget') ? Number(flag('--budget')) : undefined;
const asJson = args.includes('--json');

if (!existsSync(dist)) {
  console.error(`No build at ${dist}: run \`npm run build\` first.`);
  process.exit(1);
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return htmlFiles(p);
    return name.endsWith('.html') ? [p] : [];
  });
}

/** Site-absolute URLs of JS referenced by a page. */
function pageEntries(html: string): string[] {
  const urls = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/\b(?:component-url|renderer-url|before-hydration-url)="([^"]+\.js)"/g)) urls.add(m[1]);
  for (const m of html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)) {
    for (const i of m[1].matchAll(/(?:import|from)\s*\(?\s*["']([^"']+\.js)["']/g)) urls.add(i[1]);
  }
  return [...urls];
}

/** A module's imports: static ones (`import … from "x.js"`, `import "x.js"`) and lazy ones (`import(…)`, worker URLs). */
function importsOf(file: string, text: string): { eager: string[]; lazy: string[] } {
  const resolveSpec = (spec: string) => (spec.startsWith('/') ? join(dist, spec) : resolve(dirname(file), spec));
  const eager = [...text.matchAll(/(?:\bimport|\bfrom)\s*["'`]([^"'`]+\.js)["'`]/g)].map((m) => resolveSpec(m[1]));
  const lazy = [...text.matchAll(/\bimport\(\s*["'`]([^"'`]+\.js)["'`]/g), ...text.matchAll(/new URL\(\s*["'`]([^"'`]+\.js)["'`]/g)].map(
    (m) => resolveSpec(m[1]),
  );
  return { eager, lazy };
}

/**
 * Modules reachable from the entries through static imports (what a page loads before any
 * interaction), and, separately, those only reachable through a dynamic import() or a Web
 * Worker's URL (loaded later, e.g. a cell's editor when a reader focuses it).
 */
function closure(entries: string[]): { eager: Map<string, number>; lazy: Map<string, number> } {
  const eager = new Map<string, number>();
  const lazy = new Map<string, number>();
  const walk = (start: string[], into: Map<string, number>, later: string[]) => {
    const stack = [...start];
    while (stack.length) {
      const file = stack.pop()!;
      if (eager.has(file) || into.has(file) || !existsSync(file)) continue;
      const code = readFileSync(file);
      into.set(file, gzipSync(code).length);
      const { eager: statics, lazy: dynamics } = importsOf(file, code.toString('utf8'));
      stack.push(...statics);
      later.push(...dynamics);
    }
  };
  const pending: string[] = [];
  walk(
    entries.map((u) => join(dist, u)),
    eager,
    pending,
  );
  const none: string[] = [];
  walk(pending, lazy, none);
  while (none.length) walk(none.splice(0), lazy, none);
  return { eager, lazy };
}

const kb = (m: Map<string, number>) => Number(([...m.values()].reduce((a, b) => a + b, 0) / 1024).toFixed(1));
const rows = htmlFiles(dist)
  .map((file) => {
    const { eager, lazy } = closure(pageEntries(readFileSync(file, 'utf8')));
    return { page: '/' + relative(dist, dirname(file)).replace(/\\/g, '/'), modules: eager.size, gzipKb: kb(eager), lazyKb: kb(lazy) };
  })
  .sort((a, b) => a.page.localeCompare(b.page));

if (asJson) console.log(JSON.stringify({ budgetKb: budgetKb ?? null, pages: rows }, null, 2));
else {
  console.log('page'.padEnd(48) + 'modules'.padStart(8) + 'JS gzip KB'.padStart(12) + 'lazy KB'.padStart(10));
  for (const r of rows)
    console.log(r.page.padEnd(48) + String(r.modules).padStart(8) + String(r.gzipKb).padStart(12) + String(r.lazyKb).padStart(10));
}
if (budgetKb !== undefined) {
  const over = rows.filter((r) => r.gzipKb > budgetKb);
  if (over.length) {
    console.error(`Over the ${budgetKb} KB budget: ${over.map((r) => `${r.page} (${r.gzipKb} KB)`).join(', ')}`);
    process.exit(1);
  }
}
