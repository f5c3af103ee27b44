import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2d, convGeometry, tensor } from '../../lib/index.ts';

const PATH = '/lessons/01-convolution-by-hand/';

/** Scrolls the playground into view and waits until its island has hydrated. */
async function playground(page: Page, path = PATH) {
  await page.goto(path);
  const island = page.locator('astro-island[component-url*="ConvPlayground"]');
  const figure = page.getByRole('group', { name: 'Convolution playground' });
  await figure.scrollIntoViewIfNeeded();
  await expect(island).not.toHaveAttribute('ssr', /.*/);
  return {
    figure,
    narration: figure.locator('.narration'),
    output: figure.locator('.matrix[data-role="output"]'),
    input: figure.locator('.matrix[data-role="input"]'),
    kernel: figure.locator('.matrix[data-role="kernel"]').first(),
  };
}

/** The numbers in a grid's cells, row by row. */
async function gridValues(grid: ReturnType<Page['locator']>): Promise<number[][]> {
  const rows = grid.locator('tbody tr');
  const out: number[][] = [];
  for (let r = 0; r < (await rows.count()); r++) {
    const texts = await rows.nth(r).locator('td').allInnerTexts();
    out.push(texts.map((t) => Number(t.trim())));
  }
  return out;
}

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
  const { output, figure } = await playground(page);
  await expect(output.locator('td')).toHaveText(['145', '191', '283', '329']);
  // The code panel shows conv2dNaive with its multiply-add line marked.
  await expect(figure.locator('.code-panel .active-line')).toContainText('plane[o + ow] += weight');
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button narrates each dot product', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, output } = await playground(page);
  const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
  await expect(narration).toHaveText(`out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = ${y.data[0]}`);
  await figure.focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText(`out[0,1] = 2·10 + 3·11 + 5·12 + 6·13 = ${y.data[1]}`);
  await page.keyboard.press('End');
  await expect(narration).toHaveText(`out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = ${y.data[3]}`);
  await page.keyboard.press('Home');
  await expect(narration).toContainText('out[0,0]');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(narration).toHaveText('out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283');
  await expect(output.locator('td[data-mark="active"]')).toHaveText('283');
  // The window's four input pixels are outlined.
  await expect(figure.locator('.matrix[data-role="input"] td[data-mark="source"]')).toHaveText(['4', '5', '7', '8']);
  // Space plays to the end.
  await figure.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press(' ');
  await expect(narration).toContainText('out[1,1]', { timeout: 6000 });
  expect(errors).toEqual([]);
});

test('stride, padding and dilation give the engine output size; edits and Randomize match conv2d', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, input, kernel, narration } = await playground(page);
  const expectSize = async (H: number, K: number, opts: { stride: number; padding: number; dilation: number }) => {
    const g = convGeometry([1, 1, H, H], [K, K], opts);
    await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
    await expect(output.locator('tbody tr')).toHaveCount(g.OH);
    await expect(output.locator('tbody tr').first().locator('td')).toHaveCount(g.OW);
  };
  await page.getByLabel('Input height').fill('6');
  await page.getByLabel('Input width').fill('6');
  await expectSize(6, 2, { stride: 1, padding: 0, dilation: 1 });
  await page.getByLabel('Stride').fill('2');
  await expectSize(6, 2, { stride: 2, padding: 0, dilation: 1 });
  await page.getByLabel('Padding').fill('1');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 1 });
  await page.getByLabel('Dilation').fill('3');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 3 });
  await expect(figure.locator('.matrix[data-role="input"] td[data-padding="true"]').first()).toBeVisible();
  await expect(figure.getByText('Dilated footprint 4 × 4')).toBeVisible();

  // Randomize, then compare every output cell with the engine on the values shown.
  await page.getByRole('button', { name: 'Randomize' }).click();
  const check = async () => {
    const padded = await gridValues(input);
    const w = await gridValues(kernel);
    const x = padded.slice(1, 7).map((row) => row.slice(1, 7)); // strip the padding ring
    const y = conv2d(tensor([1, 1, 6, 6], x.flat()), tensor([1, 1, 2, 2], w.flat()), null, { stride: 2, padding: 1, dilation: 3 });
    expect((await gridValues(output)).flat()).toEqual(Array.from(y.data));
  };
  await check();

  // Click an input pixel and type a value: the output follows the engine.
  await input.getByRole('button', { name: /row 2, column 2:/ }).click();
  await input.getByRole('textbox').fill('42');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('42');
  await check();
  await kernel.getByRole('button', { name: /row 1, column 1:/ }).click();
  await kernel.getByRole('textbox').fill('-3');
  await kernel.getByRole('textbox').press('Enter');
  await expect(kernel.locator('td').first()).toHaveText('-3');
  await check();
  await expect(narration).toContainText('out[0,0] =');
  expect(errors).toEqual([]);
});

test('an invalid setting shows the engine message and keeps the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  const { output } = await playground(page);
  await page.getByLabel('Kernel height').fill('5');
  let message = '';
  try {
    convGeometry([1, 1, 3, 3], [5, 2], {});
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toBe('kernel 5×2 does not fit the padded input 3×3');
  await expect(page.getByRole('status')).toContainText(message);
  await expect(output.locator('td')).toHaveText(['145', '191', '283', '329']);
  // Padding makes room: the same kernel now fits.
  await page.getByLabel('Padding').fill('1');
  await expect(page.getByText('Not drawn:')).toHaveCount(0);
  const g = convGeometry([1, 1, 3, 3], [5, 2], { padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  expect(errors).toEqual([]);
});

test('the URL restores the state, and a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const { output, narration } = await playground(page, `${PATH}?cv.h=4&cv.w=4&cv.p=1&cv.s=2&cv.step=4`);
  const g = convGeometry([1, 1, 4, 4], [2, 2], { stride: 2, padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  await expect(narration).toContainText('out[1,0] =');
  await expect(page.getByLabel('Stride')).toHaveValue('2');
  // Stepping writes the step back into the link.
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(page).toHaveURL(/cv\.step=5/);

  const again = await playground(page, `${PATH}?cv.s=banana&cv.step=%F0%9F%A6%84&cv.k=1,x`);
  await expect(page.getByRole('note').first()).toContainText('Ignored stride "banana"');
  await expect(again.output.locator('td')).toHaveText(['145', '191', '283', '329']);
  expect(errors).toEqual([]);
});

test('lesson 1 has no serious or critical accessibility violations', async ({ page }) => {
  await playground(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 1 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-01');
  // The playground alone, restored from a link with padding and dilation, at both widths.
  for (const [suffix, width] of [['wide', 1280], ['narrow', 375]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { figure } = await playground(page, `${PATH}?cv.h=6&cv.w=6&cv.p=1&cv.d=2&cv.step=5`);
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-01-playground-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
