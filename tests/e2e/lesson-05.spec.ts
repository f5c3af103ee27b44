import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { convGeometry, im2colBytes } from '../../lib/index.ts';
import { formatBytes } from '../../lib/viz/format.ts';
import { groupDigits } from '../../lib/viz/memory-cost.ts';

const PATH = '/lessons/05-memory-and-speed/';

/** Scrolls the calculator into view and waits until its island has hydrated. */
async function calculator(page: Page, path = PATH) {
  await page.goto(path);
  const island = page.locator('astro-island[component-url*="MemoryCost"]');
  const region = page.getByRole('region', { name: 'How big does the matrix get' });
  await region.scrollIntoViewIfNeeded();
  await expect(island).not.toHaveAttribute('ssr', /.*/);
  return {
    region,
    output: region.getByTestId('output-size'),
    shape: region.getByTestId('xcol-shape'),
    bytes: region.getByTestId('xcol-bytes'),
    exact: region.getByTestId('xcol-exact'),
    ratio: region.getByTestId('ratio'),
  };
}

test('lesson 5 renders math and code, and the AlexNet preset matches the engine', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\frac');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const { output, shape, bytes, exact, ratio, region } = await calculator(page);
  await region.getByRole('button', { name: 'AlexNet conv1' }).click();
  const g = convGeometry([1, 3, 227, 227], [11, 11], { stride: 4 });
  expect(im2colBytes(g)).toBe(4 * 363 * 3025);
  await expect(output).toHaveText(`${g.OH} × ${g.OW}`);
  await expect(shape).toHaveText('363 × 3025');
  await expect(bytes).toHaveText(formatBytes(4 * 363 * 3025));
  await expect(exact).toHaveText(`${groupDigits(4 * 363 * 3025)} bytes`);
  await expect(ratio).toHaveText('7.1×');
  // The prose numbers are the engine's too.
  await expect(page.locator('article')).toContainText(`${groupDigits(im2colBytes(g))} bytes or ${formatBytes(im2colBytes(g))}`);
  expect(errors).toEqual([]);
});

test('presets and fields give the engine output size; invalid settings keep the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  const { region, output, shape, bytes } = await calculator(page);
  await region.getByRole('button', { name: 'MNIST CNN conv2' }).click();
  await expect(region.getByRole('button', { name: 'MNIST CNN conv2' })).toHaveAttribute('aria-pressed', 'true');
  let g = convGeometry([32, 32, 14, 14], [2, 2], { stride: 2, padding: 1 });
  await expect(output).toHaveText(`${g.OH} × ${g.OW}`);
  await expect(shape).toHaveText(`${32 * 4} × ${32 * g.OH * g.OW}`);
  await expect(bytes).toHaveText(formatBytes(im2colBytes(g)));

  await page.getByLabel('Stride', { exact: true }).fill('1');
  g = convGeometry([32, 32, 14, 14], [2, 2], { stride: 1, padding: 1 });
  await expect(output).toHaveText(`${g.OH} × ${g.OW}`);
  await page.getByLabel('Padding', { exact: true }).fill('0');
  await page.getByLabel('Dilation', { exact: true }).fill('3');
  g = convGeometry([32, 32, 14, 14], [2, 2], { stride: 1, padding: 0, dilation: 3 });
  await expect(output).toHaveText(`${g.OH} × ${g.OW}`);
  await expect(bytes).toHaveText(formatBytes(im2colBytes(g)));

  // A kernel that cannot fit: the engine's message, and the last valid numbers stay.
  await page.getByLabel('Kernel height', { exact: true }).fill('20');
  let message = '';
  try {
    convGeometry([32, 32, 14, 14], [20, 2], { stride: 1, padding: 0, dilation: 3 });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('does not fit the padded input 14×14');
  await expect(region.getByRole('status')).toContainText(message);
  await expect(output).toHaveText(`${g.OH} × ${g.OW}`);
  await page.getByLabel('Stride', { exact: true }).fill('0');
  await expect(region.getByRole('status')).toContainText('stride must be a positive integer, got 0');
  expect(errors).toEqual([]);
});

test('the URL restores the layer, and a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const first = await calculator(page, `${PATH}?mem.n=32&mem.c=64&mem.h=56&mem.w=56&mem.kh=3&mem.kw=3&mem.s=1&mem.p=1&mem.f=64`);
  await expect(first.region.getByRole('button', { name: /3×3 conv/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(first.ratio).toHaveText('9×');
  await expect(page.getByLabel('Batch', { exact: true })).toHaveValue('32');
  // Editing a field writes it back into the link.
  await page.getByLabel('Batch', { exact: true }).fill('8');
  await expect(page).toHaveURL(/mem\.n=8/);

  const second = await calculator(page, `${PATH}?mem.s=%F0%9F%92%A5&mem.kh=9999`);
  await expect(second.region.getByRole('note').first()).toContainText('Ignored stride');
  await expect(second.shape).toHaveText('363 × 3025');
  expect(errors).toEqual([]);
});

test('lesson 5 has no serious or critical accessibility violations', async ({ page }) => {
  await calculator(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 5 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-05');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { region } = await calculator(page, `${PATH}?mem.n=32&mem.c=64&mem.h=56&mem.w=56&mem.kh=3&mem.kw=3&mem.s=1&mem.p=1&mem.f=64`);
    await region.getByLabel('Logarithmic scale').check();
    await region.screenshot({ path: join(SCREENSHOTS, `lesson-05-calculator-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
