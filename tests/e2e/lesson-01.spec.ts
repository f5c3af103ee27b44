import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2d, convGeometry, tensor } from '../../lib/index.ts';

const PATH = '/lessons/01-convolution-by-hand/';

/** Scrolls the playground into view and waits until its island is live. */
async function playground(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Convolution playground' });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return {
    figure,
    narration: figure.locator('.narration'),
    output: figure.locator('.matrix[data-role="output"]'),
    input: figure.locator('.matrix[data-role="input"]'),
    kernel: figure.locator('.matrix[data-role="kernel"]').first(),
    vars: figure.getByTestId('loop-vars'),
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

test('lesson 1 renders math and code, and the output fills in as the loops compute it', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\left\\lfloor');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const { output, figure, vars } = await playground(page);
  // Nothing is computed before the first store: every output cell is blank.
  await expect(output.locator('td')).toHaveText(['', '', '', '']);
  await expect(output.locator('td[data-blank]')).toHaveCount(4);
  // The code panel shows the reference loops with the multiply-add marked, and the loop variables.
  await expect(figure.locator('.code-panel .active-line')).toHaveText('sum += wv * xv;');
  await expect(figure.locator('.code-panel')).not.toContainText('observe');
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 0  c = 0  kh = 0  kw = 0');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 0  c = 0  kh = 0  kw = 1');
  await page.keyboard.press('End');
  await expect(output.locator('td')).toHaveText(['145', '191', '283', '329']);
  await expect(figure.locator('.code-panel .active-line')).toContainText('= sum;');
  await figure.getByRole('button', { name: 'Reset' }).click();
  await expect(output.locator('td[data-blank]')).toHaveCount(4);
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button narrates each multiply-add and each stored sum', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, output, input } = await playground(page);
  const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
  await expect(narration).toHaveText('out[0,0]: sum += x[0,0]·w[0,0] = 1·10 = 10 → 10');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  await forward.focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('out[0,0]: sum += x[0,1]·w[0,1] = 2·11 = 22 → 32');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText(`out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = ${y.data[0]}`);
  await expect(output.locator('td').first()).toHaveText(String(y.data[0]));
  await page.keyboard.press('End');
  await expect(narration).toHaveText(`out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = ${y.data[3]}`);
  await page.keyboard.press('Home');
  await expect(narration).toContainText('out[0,0]: sum +=');
  for (let k = 0; k < 13; k++) await forward.click();
  // Step 14: the fourth multiply-add of out[1,0]; its window's pixels 4, 5, 7 read, 8 being read.
  await expect(narration).toHaveText('out[1,0]: sum += x[2,1]·w[1,1] = 8·13 = 104 → 283');
  await expect(input.locator('td[data-mark="source"]')).toHaveText(['4', '5', '7']);
  await expect(input.locator('td[data-mark="active"]')).toHaveText('8');
  await expect(output.locator('td[data-mark="active"]')).toHaveText('');
  // Space on the scrubber plays and pauses; the scrubber's own keys step.
  const scrubber = figure.getByRole('slider', { name: 'Step' });
  await scrubber.focus();
  await page.keyboard.press('Home');
  await expect(figure.getByTestId('step-count')).toHaveText('1 / 20');
  await page.keyboard.press(' ');
  await expect(figure.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(figure.getByTestId('step-count')).not.toHaveText('1 / 20');
  await page.keyboard.press(' ');
  await expect(figure.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('stride, padding and dilation give the engine output size; edits and Randomize match conv2d', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, input, kernel } = await playground(page);
  const expectSize = async (H: number, K: number, opts: { stride: number; padding: number; dilation: number }) => {
    const g = convGeometry([1, 1, H, H], [K, K], opts);
    await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
    await expect(output.locator('tbody tr')).toHaveCount(g.OH);
    await expect(output.locator('tbody tr').first().locator('td')).toHaveCount(g.OW);
  };
  await figure.getByLabel('Input height').fill('6');
  await figure.getByLabel('Input width').fill('6');
  await expectSize(6, 2, { stride: 1, padding: 0, dilation: 1 });
  await figure.getByLabel('Stride').fill('2');
  await expectSize(6, 2, { stride: 2, padding: 0, dilation: 1 });
  await figure.getByLabel('Padding').fill('1');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 1 });
  await figure.getByLabel('Dilation').fill('3');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 3 });
  await expect(input.locator('td[data-padding="true"]').first()).toBeVisible();
  await expect(figure.getByText('Dilated footprint 4 × 4')).toBeVisible();

  await figure.getByRole('button', { name: 'Randomize' }).click();
  const check = async () => {
    await figure.getByRole('button', { name: 'Step forward' }).focus();
    await page.keyboard.press('End');
    const padded = await gridValues(input);
    const w = await gridValues(kernel);
    const x = padded.slice(1, 7).map((row) => row.slice(1, 7));
    const y = conv2d(tensor([1, 1, 6, 6], x.flat()), tensor([1, 1, 2, 2], w.flat()), null, { stride: 2, padding: 1, dilation: 3 });
    expect((await gridValues(output)).flat()).toEqual(Array.from(y.data));
  };
  await check();

  // Click an input pixel and type a value; focus a kernel cell and just start typing.
  await input.getByRole('button', { name: /row 2, column 2:/ }).click();
  await input.getByRole('textbox').fill('42');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('42');
  await check();
  await kernel.getByRole('button', { name: /row 1, column 1:/ }).focus();
  await page.keyboard.type('-3');
  await page.keyboard.press('Enter');
  await expect(kernel.locator('td').first()).toHaveText('-3');
  await check();
  // Escape cancels an edit.
  await kernel.getByRole('button', { name: /row 1, column 1:/ }).focus();
  await page.keyboard.type('7');
  await page.keyboard.press('Escape');
  await expect(kernel.locator('td').first()).toHaveText('-3');
  expect(errors).toEqual([]);
});

test('an invalid setting shows the engine message and keeps the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output } = await playground(page);
  await figure.getByLabel('Kernel height').fill('5');
  let message = '';
  try {
    convGeometry([1, 1, 3, 3], [5, 2], {});
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toBe('kernel 5×2 does not fit the padded input 3×3');
  await expect(figure.getByRole('status')).toContainText(message);
  await expect(output.locator('caption')).toHaveText('Output 2 × 2');
  await figure.getByLabel('Padding').fill('1');
  await expect(figure.getByText('Not drawn:')).toHaveCount(0);
  const g = convGeometry([1, 1, 3, 3], [5, 2], { padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  expect(errors).toEqual([]);
});

test('the URL restores the state, and a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, narration } = await playground(page, `${PATH}?cv.h=4&cv.w=4&cv.p=1&cv.s=2&cv.step=5`);
  const g = convGeometry([1, 1, 4, 4], [2, 2], { stride: 2, padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  // Step 5 stores out[0,0]: three of its taps fell on the padding, one read x[0,0] = 1.
  await expect(narration).toHaveText('out[0,0] = 1·13 = 13');
  await expect(figure.getByLabel('Stride')).toHaveValue('2');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(page).toHaveURL(/cv\.step=6/);

  const again = await playground(page, `${PATH}?cv.s=banana&cv.step=%F0%9F%A6%84&cv.k=1,x`);
  await expect(again.figure.getByRole('note').first()).toContainText('Ignored stride "banana"');
  await expect(again.output.locator('caption')).toHaveText('Output 2 × 2');
  expect(errors).toEqual([]);
});

test('lesson 1 has no serious or critical accessibility violations', async ({ page }) => {
  await playground(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 1 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-01');
  for (const [suffix, width] of [['wide', 1280], ['narrow', 375]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { figure } = await playground(page, `${PATH}?cv.h=6&cv.w=6&cv.p=1&cv.d=2&cv.step=12`);
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-01-playground-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
