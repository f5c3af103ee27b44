/**
 * JavaScript weight per page of the built site (dist/): every module a page can load — its
 * <script> tags, each island's component and renderer URLs, and everything those import
 * statically or dynamically — gzipped and summed. Usage: `npm run build && npm run bench:weight`
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

/** All modules reachable from the entries, followed through relative and absolute imports. */
function closure(entries: string[]): Map<string, number> {
  const seen = new Map<string, number>();
  const stack = entries.map((u) => join(dist, u));
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    const code = readFileSync(file);
    seen.set(file, gzipSync(code).length);
    const text = code.toString('utf8');
    for (const m of text.matchAll(/(?:import|from|import\()\s*["']([^"']+\.js)["']/g)) {
      const spec = m[1];
      stack.push(spec.startsWith('/') ? join(dist, spec) : resolve(dirname(file), spec));
    }
  }
  return seen;
}

const rows = htmlFiles(dist)
  .map((file) => {
    const modules = closure(pageEntries(readFileSync(file, 'utf8')));
    const gz = [...modules.values()].reduce((a, b) => a + b, 0);
    return { page: '/' + relative(dist, dirname(file)).replace(/\\/g, '/'), modules: modules.size, gzipKb: Number((gz / 1024).toFixed(1)) };
  })
  .sort((a, b) => a.page.localeCompare(b.page));

if (asJson) console.log(JSON.stringify({ budgetKb: budgetKb ?? null, pages: rows }, null, 2));
else {
  console.log('page'.padEnd(48) + 'modules'.padStart(8) + 'JS gzip KB'.padStart(12));
  for (const r of rows) console.log(r.page.padEnd(48) + String(r.modules).padStart(8) + String(r.gzipKb).padStart(12));
}
if (budgetKb !== undefined) {
  const over = rows.filter((r) => r.gzipKb > budgetKb);
  if (over.length) {
    console.error(`Over the ${budgetKb} KB budget: ${over.map((r) => `${r.page} (${r.gzipKb} KB)`).join(', ')}`);
    process.exit(1);
  }
}
