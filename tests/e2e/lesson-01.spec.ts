import { test, expect } from '@playwright/test';
import { expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';

const PATH = '/lessons/01-convolution-by-hand/';

test('lesson 1 renders math and code and hydrates its island', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
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
  await page.getByRole('button', { name: 'Randomize' }).click();
  await expect(output).not.toHaveText(['145', '191', '283', '329']);
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(output).toHaveText(['145', '191', '283', '329']);
  expect(errors).toEqual([]);
});

test('lesson 1 has no serious or critical accessibility violations', async ({ page }) => {
  await page.goto(PATH);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 1 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-01');
});
