/**
 * `npm run build && npm run bench:figures [-- --json] [--dist=DIR] [--only=LABEL]`: the longest main-thread task
 * of every figure on the frame at its largest settings, in headless Chromium on the built site.
 * For each figure (every `lib/viz/<figure>/spec.ts`, see tests/e2e/fixtures/figure-extremes.ts)
 * two links are opened: the largest settings its form allows (every field at its maximum, stride
 * and dilation at 1), which the draw budget refuses for most figures, and the largest settings it
 * still draws, beside the defaults (what the page costs anyway: hydration, KaTeX, the other
 * islands). Each page is loaded, the figure scrolled into view and hydrated, then stepped six
 * times, played for two seconds and a field retyped (on the defaults, each preset is then clicked
 * once, in order, and timed on its own); PerformanceObserver 'longtask' records every
 * task over 50 ms. Prints per figure and case the longest task at load (the whole page) and while
 * interacting, and whether the link's settings were drawn or refused, with the load average (on 2 shared cores the numbers move
 * with it, so nothing is asserted: the budget message itself is tested in figure-budget.spec.ts).
 */
import { existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright';
import type { Browser } from 'playwright';
import { chromiumLaunchOptions } from '../e2e/fixtures/chromium.ts';
import { REPO_ROOT } from '../e2e/fixtures/mnist-fixture.ts';
import { FRAME_FIGURES } from '../e2e/fixtures/frame-figures.ts';
import { frameSpecs, largestDrawable, largestSettings, queryOf } from '../e2e/fixtures/figure-extremes.ts';
import type { AnySpec } from '../e2e/fixtures/figure-extremes.ts';
import { longTasks, longest, watchLongTasks } from '../e2e/fixtures/long-tasks.ts';
import { serve } from './static-server.ts';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const distArg = args.find((a) => a.startsWith('--dist='))?.slice('--dist='.length);
const dist = resolve(REPO_ROOT, distArg ?? process.env.BENCH_DIST ?? 'dist');
/** `--only=GEMM` measures only the figures whose label contains the text. */
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);

interface Row {
  figure: string;
  case: 'defaults' | 'largest allowed' | 'largest drawn';
  query: string;
  /** Longest task from navigation until the figure is hydrated and in view, ms. */
  load: number;
  /** Longest task while stepping, playing and retyping a field, ms. */
  interact: number;
  /** What the link's settings got at load: drawn, refused by the draw budget, or refused otherwise. */
  atLoad: 'drawn' | 'over budget' | 'refused';
  steps: string;
  /** Defaults case only: the longest task of a click on each preset (first click of each, in order), ms. */
  presets?: Record<string, number>;
}

async function measure(
  browser: Browser,
  origin: string,
  path: string,
  spec: AnySpec,
  query: string,
  withPresets = false,
): Promise<Omit<Row, 'figure' | 'case' | 'query'>> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await watchLongTasks(page);
  await page.goto(`${origin}${path}${query}`);
  const frame = page.locator('.figure-frame', { has: page.getByRole('toolbar', { name: `${spec.label} steps` }) }).first();
  await frame.scrollIntoViewIfNeeded();
  await frame.locator('xpath=self::*[@data-ready]').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  const loaded = await page.evaluate(() => performance.now());
  const load = longest(await longTasks(page, 0, loaded));
  const notes = (await frame.getByRole('note').allTextContents()).join(' ');
  const atLoad = /it draws at most/.test(notes) ? 'over budget' : /could not be drawn/.test(notes) ? 'refused' : 'drawn';
  const steps = (await frame.getByTestId('step-count').textContent()) ?? '';
  const forward = frame.getByRole('button', { name: 'Step forward' });
  for (let k = 0; k < 6; k++) await forward.click();
  await frame.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(2_000);
  const pause = frame.getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  const field = frame.getByRole('spinbutton').first();
  await field.fill(String(spec.fields[0].max));
  await page.waitForTimeout(300);
  const interact = longest(await longTasks(page, loaded));
  let presets: Record<string, number> | undefined;
  if (withPresets && spec.presets.length > 0) {
    presets = {};
    for (const preset of spec.presets) {
      const from = await page.evaluate(() => performance.now());
      await frame.getByRole('button', { name: preset.label, exact: true }).click();
      await page.waitForTimeout(400);
      presets[preset.label] = Math.round(longest(await longTasks(page, from)));
    }
  }
  await context.close();
  return { load: Math.round(load), interact: Math.round(interact), atLoad, steps, presets };
}

async function main(): Promise<void> {
  if (!existsSync(join(dist, 'index.html'))) {
    process.stderr.write(`No build in ${dist}: run \`npm run build\` first (or pass --dist=DIR).\n`);
    process.exit(1);
  }
  const { server, origin } = await serve(dist);
  const browser = await chromium.launch(chromiumLaunchOptions());
  const loadBefore = loadavg()[0];
  const rows: Row[] = [];
  try {
    for (const spec of await frameSpecs()) {
      if (only && !spec.label.includes(only)) continue;
      const where = FRAME_FIGURES.find((f) => f.name === spec.label);
      if (!where) {
        process.stderr.write(`${spec.label}: not in tests/e2e/fixtures/frame-figures.ts, skipped\n`);
        continue;
      }
      const cases = [
        { case: 'defaults' as const, query: '' },
        { case: 'largest allowed' as const, query: queryOf(spec, largestSettings(spec)) },
        { case: 'largest drawn' as const, query: largestDrawable(spec).query },
      ];
      for (const c of cases) {
        const r = await measure(browser, origin, where.path, spec, c.query, c.case === 'defaults');
        rows.push({ figure: spec.label, ...c, ...r });
        if (!asJson) {
          process.stdout.write(
            `${spec.label.padEnd(24)} ${c.case.padEnd(16)} load ${String(r.load).padStart(4)} ms  interact ${String(r.interact).padStart(4)} ms  ${r.atLoad.padEnd(11)}  steps ${r.steps.padEnd(11)} ${c.query}\n`,
          );
          if (r.presets)
            process.stdout.write(
              `${''.padEnd(24)} presets          ${Object.entries(r.presets)
                .map(([label, ms]) => `${label} ${ms} ms`)
                .join(', ')}\n`,
            );
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const load = { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0].toFixed(2)), cores: cpus().length };
  if (asJson) console.log(JSON.stringify({ load, rows }, null, 2));
  else
    console.log(
      `Longest task over all: ${Math.max(...rows.map((r) => Math.max(r.load, r.interact, ...Object.values(r.presets ?? {}))))} ms (0 = none over 50 ms); load average ${load.before} → ${load.after} on ${load.cores} cores`,
    );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
