import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, watchErrors } from './helpers.ts';
import {
  BENCH_CASES,
  SEED_TABLES,
  SEED_METHODS,
  caseIm2colBytes,
  formatMegabytes,
  formatMs,
  seedSpeedup,
  formatSpeedup,
  toMegabytes,
} from '../../lib/bench/index.ts';

const PATH = '/lessons/10-speed-in-your-browser/';
/** The quick mode must finish well under a minute on two shared cores; leave room for a slow CI machine. */
const RUN_TIMEOUT = 110_000;

/** Opens the lesson and waits until the benchmark island has hydrated. */
async function bench(page: Page, path = PATH) {
  await page.goto(path);
  const region = page.getByRole('region', { name: 'Speed benchmark' });
  await region.scrollIntoViewIfNeeded();
  await expect(page.locator('astro-island[component-url*="SpeedBench"]')).not.toHaveAttribute('ssr', /.*/);
  return region;
}

/** Runs the quick benchmark (3 repetitions) to completion and returns how long it took. */
async function runQuick(page: Page): Promise<number> {
  const region = await bench(page);
  await region.getByLabel('Repetitions').selectOption('3');
  const started = Date.now();
  await region.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(region.getByRole('status').first()).toContainText('Done', { timeout: RUN_TIMEOUT });
  return Date.now() - started;
}

const NUMBER = /^\d+(\.\d+)?×?$/;

test('before a run: the seed rows carry the published figures, the reader rows wait', async ({ page }) => {
  const errors = watchErrors(page);
  const region = await bench(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Measured in your browser' })).toBeVisible();
  // The seed's forward, batch 32 table: its numbers are the transcribed seconds, shown in ms.
  const table = SEED_TABLES.find((t) => t.pass === 'forward' && t.batch === 32)!;
  const nested = region.locator('[data-row="seed/forward/32/nested"]');
  await expect(nested.locator('[data-stat="mean"]')).toHaveText(formatMs(table.stats.nested.mean * 1000));
  const im2col = region.locator('[data-row="seed/forward/32/im2col"]');
  await expect(im2col.locator('[data-stat="speedup"]')).toHaveText(formatSpeedup(seedSpeedup(table, 'im2col')));
  expect(formatSpeedup(seedSpeedup(table, 'im2col'))).toBe('7105×'); // the slides' "7105 times faster"
  await expect(region.locator('tbody[data-source="seed"] tr[data-row]')).toHaveCount(4 * SEED_METHODS.length);
  // Reader rows are empty until a run.
  await expect(region.locator('[data-row="seed-b1/forward/naive"] [data-stat="mean"]')).toHaveText('—');
  await expect(region.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await expect(region.getByRole('button', { name: 'Copy as Markdown' })).toBeDisabled();
  await expect(region.getByRole('progressbar', { name: 'Benchmark progress' })).toBeVisible();
  // The lesson ends at the trainer.
  await expect(page.locator('article').getByRole('link', { name: 'trainer' }).last()).toHaveAttribute('href', '/train/');
  expect(errors).toEqual([]);
});

test('the quick benchmark runs to completion, fills every cell, copies as Markdown and saves', async ({ page, context }) => {
  test.setTimeout(RUN_TIMEOUT + 90_000);
  const errors = watchErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const elapsed = await runQuick(page);
  const region = page.getByRole('region', { name: 'Speed benchmark' });
  console.log(`quick benchmark: ${(elapsed / 1000).toFixed(1)} s`);

  const device = await region.getByTestId('webgl-device').innerText();
  console.log(device);
  const webgl = !device.includes('not measured');
  const methods = webgl ? ['naive', 'im2col', 'im2col-wasm', 'webgl', 'webgl-io'] : ['naive', 'im2col', 'im2col-wasm'];
  for (const c of BENCH_CASES) {
    for (const pass of ['forward', 'backward']) {
      for (const m of methods) {
        const row = region.locator(`[data-row="${c.id}/${pass}/${m}"]`);
        await expect(row, `${c.id}/${pass}/${m}`).toHaveAttribute('data-measured', 'true');
        const cells = await row.locator('td').allInnerTexts();
        for (const text of cells) expect(text, `${c.id}/${pass}/${m}: ${cells.join(' | ')}`).toMatch(NUMBER);
      }
    }
  }
  // Every method agreed with the CPU engine's im2col + GEMM.
  await expect(region.getByTestId('agreement')).toContainText('Checked: every method');

  // im2col beats nested loops on the AlexNet-sized layer, forward.
  const speedup = Number((await region.locator('[data-row="alexnet/forward/im2col"] [data-stat="speedup"]').innerText()).replace('×', ''));
  expect(speedup).toBeGreaterThan(1);
  const alex = BENCH_CASES.find((c) => c.id === 'alexnet')!;
  await expect(region.locator('[data-row="alexnet/forward/im2col"] [data-stat="buffer"]')).toHaveText(
    formatMegabytes(toMegabytes(caseIm2colBytes(alex))),
  );
  await expect(region.locator('[data-row="alexnet/forward/naive"] [data-stat="buffer"]')).toHaveText('0.00');

  // The WebAssembly SIMD method ran (Chromium has WebAssembly SIMD) and beats nested loops on the AlexNet-sized layer too.
  const wasmSpeedup = Number(
    (await region.locator('[data-row="alexnet/forward/im2col-wasm"] [data-stat="speedup"]').innerText()).replace('×', ''),
  );
  expect(wasmSpeedup).toBeGreaterThan(1);
  // A row is flagged "wide spread" exactly when its max is more than 3× its median (the numbers shown).
  for (const row of await region.locator('tbody[data-source="reader"] tr[data-row]').all()) {
    const median = Number(await row.locator('[data-stat="median"]').innerText());
    const max = Number(await row.locator('[data-stat="max"]').innerText());
    const flagged = (await row.getAttribute('data-wide-spread')) === 'true';
    await expect(row.locator('th')).toContainText(flagged ? 'wide spread' : /^[^⚑]*$/);
    if (max > 3.05 * median) expect(flagged, (await row.getAttribute('data-row')) ?? '').toBe(true);
    if (max < 2.95 * median) expect(flagged, (await row.getAttribute('data-row')) ?? '').toBe(false);
  }

  // The chart has a bar per measured cell.
  await expect(region.locator('svg g.bar')).toHaveCount(BENCH_CASES.length * 2 * methods.length);

  // Report what this machine measured.
  for (const key of ['seed-b1/forward', 'seed-b32/forward', 'seed-b32/backward', 'alexnet/forward', 'alexnet/backward']) {
    const line = [];
    for (const m of methods) {
      const row = region.locator(`[data-row="${key}/${m}"]`);
      line.push(
        `${m} median ${await row.locator('[data-stat="median"]').innerText()} ms, max ${await row.locator('[data-stat="max"]').innerText()} (${await row.locator('[data-stat="speedup"]').innerText()})`,
      );
    }
    console.log(`${key}: ${line.join(', ')}`);
  }

  await expectNoSeriousA11yViolations(page, `${PATH} after a run`);
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SCREENSHOTS, `lesson-10-${suffix}.png`), fullPage: true });
    await region.screenshot({ path: join(SCREENSHOTS, `lesson-10-bench-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `overflow at ${width}px`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // Copy as Markdown: the same tables, as text.
  await region.getByRole('button', { name: 'Copy as Markdown' }).click();
  await expect(region.getByText('Copied the tables as Markdown.')).toBeVisible();
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  expect(markdown).toContain('### Forward pass, batch 32');
  expect(markdown).toContain('| this browser | im2col + GEMM, JS |');
  expect(markdown).toContain('| this browser | im2col + GEMM, WASM SIMD |');
  expect(markdown).toContain('im2col buffer MB');
  expect(markdown).toContain('University of Pisa');
  const alexMean = await region.locator('[data-row="alexnet/forward/im2col"] [data-stat="mean"]').innerText();
  expect(markdown).toContain(`| this browser | forward · im2col + GEMM, JS | ${alexMean} |`);
  const alexMedian = await region.locator('[data-row="alexnet/forward/im2col"] [data-stat="median"]').innerText();

  // Saved under a label, kept across a reload, cleared.
  const saved = page.getByRole('region', { name: 'Saved results' });
  await saved.getByLabel('Name this run (browser, machine)').fill('CI Chromium');
  await saved.getByRole('button', { name: 'Save results' }).click();
  await expect(saved.getByRole('status')).toContainText('Saved as “CI Chromium”');
  const comparison = saved.getByRole('region', { name: 'Saved runs side by side' });
  await expect(comparison.getByRole('columnheader', { name: 'CI Chromium' })).toBeVisible();
  await expect(comparison.getByRole('row', { name: /AlexNet-sized layer, batch 1 · forward · im2col \+ GEMM, JS/ })).toContainText(
    `${alexMedian} ms`,
  );
  await bench(page);
  await expect(comparison.getByRole('columnheader', { name: 'CI Chromium' })).toBeVisible();
  await expect(region.locator('[data-row="alexnet/forward/im2col"] [data-stat="mean"]')).toHaveText('—');
  await saved.getByRole('button', { name: 'Clear saved results' }).click();
  await expect(comparison).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.getItem('unrolled:speed-runs'))).toBeNull();
  expect(errors).toEqual([]);
});

test('Stop ends a long run early and keeps what was measured; the page stays responsive', async ({ page }) => {
  const errors = watchErrors(page);
  const region = await bench(page);
  await region.getByLabel('Repetitions').selectOption('30');
  await region.getByRole('button', { name: 'Run benchmark' }).click();
  await expect(region.getByTestId('bench-current')).toBeVisible();
  // The main thread answers while the worker measures.
  const t0 = Date.now();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  expect(Date.now() - t0).toBeLessThan(1000);
  await expect(region.locator('[data-row="seed-b1/forward/naive"]')).toHaveAttribute('data-measured', 'true', { timeout: 20_000 });
  await region.getByRole('button', { name: 'Stop' }).click();
  await expect(region.getByRole('status').first()).toContainText('Stopped', { timeout: 20_000 });
  await expect(region.locator('[data-row="seed-b1/forward/naive"] [data-stat="mean"]')).toHaveText(NUMBER);
  await expect(region.locator('[data-row="alexnet/backward/naive"] [data-stat="mean"]')).toHaveText('—');
  await expect(region.getByRole('button', { name: 'Run benchmark' })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('lesson 10 before a run has no serious or critical accessibility violations', async ({ page }) => {
  await bench(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});
