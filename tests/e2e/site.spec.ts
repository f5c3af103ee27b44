import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';

const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

/** Collects console errors and uncaught exceptions for the whole test. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

test('the home page lists the lessons and links to them', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Unrolled' })).toBeVisible();
  const first = page.getByRole('link', { name: 'Convolution by hand' });
  await expect(first).toBeVisible();
  await first.click();
  await expect(page).toHaveURL(/\/lessons\/01-convolution-by-hand\/$/);
  expect(errors).toEqual([]);
});

test('the lesson page renders math, code and a live engine island', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/lessons/01-convolution-by-hand/');
  // KaTeX rendered at build time: HTML output, no raw TeX left.
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\left\\lfloor');
  // Shiki highlighted at build time, with both themes' colors present.
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[style*="--shiki-dark"]').count()).toBeGreaterThan(0);

  // The island hydrates and shows the engine's result for the seed example.
  const output = page.locator('table[data-role="output"] td');
  await expect(output).toHaveText(['145', '191', '283', '329']);
  const randomize = page.getByRole('button', { name: 'Randomize' });
  await expect(randomize).toBeEnabled();
  await randomize.click();
  await expect(page.getByRole('button', { name: 'Reset' })).toBeEnabled();
  await expect(output).not.toHaveText(['145', '191', '283', '329']);
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(output).toHaveText(['145', '191', '283', '329']);
  expect(errors).toEqual([]);
});

test('pages have no serious or critical accessibility violations', async ({ page }) => {
  for (const path of ['/', '/lessons/01-convolution-by-hand/']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${path}: ${v.id} — ${v.help}`)).toEqual([]);
  }
});

test('screenshots, wide and 375 px', async ({ page }) => {
  for (const [name, width] of [['wide', 1280], ['narrow', 375]] as const) {
    await page.setViewportSize({ width, height: 900 });
    for (const [slug, path] of [['home', '/'], ['lesson-01', '/lessons/01-convolution-by-hand/']] as const) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      const file = join(SCREENSHOTS, `${slug}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      // Nothing overflows horizontally at this width.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
    }
  }
});
