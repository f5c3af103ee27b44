import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2dBackward, convGeometry, matmul, reshape, tensor } from '../../lib/index.ts';
import type { Tensor } from '../../lib/index.ts';
import { formatValue } from '../../lib/viz/format.ts';

const PATH = '/lessons/07-input-gradient-col2im/';
const counting = (length: number, start: number) => Array.from({ length }, (_, k) => start + k);

/** Scrolls the figure into view and waits until its island has hydrated. */
async function figureOf(page: Page, path = PATH) {
  await page.goto(path);
  const island = page.locator('astro-island[component-url*="GradientScatter"]');
  await page.locator('.gradient-scatter').scrollIntoViewIfNeeded();
  await expect(island).not.toHaveAttribute('ssr', /.*/);
  const figure = page.getByRole('group', { name: 'Gradient scatter' });
  return {
    figure,
    narration: figure.locator('.narration'),
    dcols: figure.locator('.matrix[data-role="matrix"]'),
    dx: figure.locator('.images .matrix', { has: page.locator('caption', { hasText: /^dx/ }) }),
    coverage: figure.locator('.images .matrix', { has: page.locator('caption', { hasText: 'Windows per pixel' }) }),
    summary: figure.locator('.summary'),
    check: figure.locator('.check'),
    adds: figure.locator('ol.adds li'),
  };
}

/** The texts of a grid's cells, row by row. */
async function gridTexts(grid: Locator): Promise<string[][]> {
  const rows = grid.locator('tbody tr');
  const out: string[][] = [];
  for (let r = 0; r < (await rows.count()); r++) out.push((await rows.nth(r).locator('td').allInnerTexts()).map((t) => t.trim()));
  return out;
}

interface Case {
  H: number;
  W: number;
  K: [number, number];
  C?: number;
  F?: number;
  stride?: number;
  padding?: number;
  dilation?: number;
}

/** The example tensors the figure builds by default (input 1…, kernel 10…, gradient 1…). */
function tensorsOf(c: Case): { x: Tensor; w: Tensor; dy: Tensor; opts: { stride: number; padding: number; dilation: number } } {
  const C = c.C ?? 1;
  const F = c.F ?? 1;
  const opts = { stride: c.stride ?? 1, padding: c.padding ?? 0, dilation: c.dilation ?? 1 };
  const g = convGeometry([1, C, c.H, c.W], c.K, opts);
  return {
    x: tensor([1, C, c.H, c.W], counting(C * c.H * c.W, 1)),
    w: tensor([F, C, c.K[0], c.K[1]], counting(F * C * c.K[0] * c.K[1], 10)),
    dy: tensor([1, F, g.OH, g.OW], counting(F * g.OH * g.OW, 1)),
    opts,
  };
}

/** lib's dx (conv2dBackward), channel 0, as the padded grid texts the figure should show (border 0). */
function expectedDx(x: Tensor, w: Tensor, dy: Tensor, opts: { stride: number; padding: number; dilation: number }, channel = 0): string[][] {
  const dx = conv2dBackward(dy, x, w, opts).dx;
  const [, , H, W] = dx.shape;
  const p = opts.padding;
  return Array.from({ length: H + 2 * p }, (_, y) =>
    Array.from({ length: W + 2 * p }, (_, xx) => {
      const inside = y >= p && y < p + H && xx >= p && xx < p + W;
      return inside ? formatValue(dx.data[(channel * H + (y - p)) * W + (xx - p)]) : '0';
    }),
  );
}

/** Goes to the last step and checks the dx grid equals lib's conv2dBackward dx, and the ✓ line. */
async function expectFinalDx(page: Page, f: Awaited<ReturnType<typeof figureOf>>, c: Case) {
  const { x, w, dy, opts } = tensorsOf(c);
  await f.figure.focus();
  await page.keyboard.press('End');
  await expect(f.check).toContainText('matches conv2dBackward(dy, x, w, {');
  await expect(f.check).toContainText('}).dx ✓');
  expect(await gridTexts(f.dx.first())).toEqual(expectedDx(x, w, dy, opts));
}

test('lesson 7 renders math and code, hydrates, and folds dX_col into lib’s dx', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  const article = await page.locator('article').innerText();
  expect(article).not.toContain('\\begin{bmatrix}');
  expect(article).not.toContain('\\frac');
  // The seed numbers were computed by the engine at build time: col2im gives 10 31 22 / 42 110 70 / 36 87 52.
  const displays = (await page.locator('.katex-display').allInnerTexts()).map((t) => t.replace(/\s+/g, ''));
  const fold = displays.find((t) => t.includes('col2im'));
  for (const v of ['10', '31', '22', '42', '110', '70', '36', '87', '52']) expect(fold).toContain(v);
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[style*="--shiki-dark"]').count()).toBeGreaterThan(0);

  const f = await figureOf(page);
  const { x, w, dy, opts } = tensorsOf({ H: 3, W: 3, K: [2, 2] });
  await expect(f.summary).toHaveText('Output 2 × 2 · W_rowᵀ 4 × 1 × dY_row 1 × 4 = dX_col 4 × 4 · dx 3 × 3');
  // Step 1: the GEMM. dX_col equals lib's matmul(W_row, dY_row, transA); dx is still zero.
  await expect(f.narration).toContainText('One GEMM first: dX_col = W_rowᵀ × dY_row, 4 × 1 times 1 × 4 gives 4 × 4.');
  const dcols = matmul(reshape(w, [1, 4]), reshape(dy, [1, 4]), { transA: true });
  expect(await gridTexts(f.dcols)).toEqual(Array.from({ length: 4 }, (_, r) => Array.from(dcols.data.subarray(r * 4, r * 4 + 4), (v) => formatValue(v))));
  expect(await gridTexts(f.dx)).toEqual([['0', '0', '0'], ['0', '0', '0'], ['0', '0', '0']]);
  expect(await gridTexts(f.coverage)).toEqual([['1', '2', '1'], ['2', '4', '2'], ['1', '2', '1']]);
  await expect(f.check).toContainText('0 of 4 windows folded');
  await expect(figureCode(f.figure)).toHaveCount(0);

  // Step 2: column 0 goes into the top-left window; the add line is highlighted in col2imInto.
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(f.adds).toHaveText(['dx[0,0]: 0 + 10 = 10', 'dx[0,1]: 0 + 11 = 11', 'dx[1,0]: 0 + 12 = 12', 'dx[1,1]: 0 + 13 = 13']);
  await expect(figureCode(f.figure)).toContainText('dx[k] = before + value;');
  await expect(f.figure.locator('.code-panel figcaption')).toContainText('lib/im2col/col2im.ts');
  await expect(f.dcols.locator('td[data-mark="source"]')).toHaveText(['10', '11', '12', '13']);
  await expect(f.dx.locator('td[data-mark="target"]')).toHaveText(['10', '11', '12', '13']);

  // The last step: the total is lib's dx, and the view-model's comparison says so.
  await expectFinalDx(page, f, { H: 3, W: 3, K: [2, 2] });
  expect(await gridTexts(f.dx)).toEqual([['10', '31', '22'], ['42', '110', '70'], ['36', '87', '52']]);
  expect(conv2dBackward(dy, x, w, opts).dx.data[4]).toBe(110);
  await expect(f.narration).toContainText('matches conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 }).dx ✓ (all 9 values, bit for bit)');
  expect(errors).toEqual([]);
});

/** The highlighted line(s) of the figure's code panel. */
function figureCode(figure: Locator): Locator {
  return figure.locator('.code-panel .active-line');
}

test('stepping by keyboard and by button narrates each add with before and after', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, dx } = await figureOf(page);
  await figure.focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration).toContainText('Window 1 of 4 (row 0, column 0 of the output)');
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('Window 2 of 4 (row 0, column 1 of the output): column 1 of dX_col goes back into its window. dx[0,1]: 11 + 20 = 31; dx[0,2]: 0 + 22 = 22; dx[1,1]: 13 + 24 = 37; dx[1,2]: 0 + 26 = 26.');
  expect(await gridTexts(dx)).toEqual([['10', '31', '22'], ['12', '37', '26'], ['0', '0', '0']]);
  await page.keyboard.press('End');
  await expect(narration).toContainText('All 4 windows are folded back');
  await page.keyboard.press('Home');
  await expect(narration).toContainText('One GEMM first');
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.getByRole('button', { name: 'Step forward' }).click();
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect(narration).toContainText('Window 3 of 4 (row 1, column 0 of the output): column 2 of dX_col goes back into its window. dx[1,0]: 12 + 30 = 42; dx[1,1]: 37 + 33 = 70;');
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(narration).toContainText('Window 2 of 4');
  // Space plays to the end (at 4× speed).
  await figure.getByLabel('Speed').selectOption('4');
  await figure.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press(' ');
  await expect(narration).toContainText('All 4 windows are folded back', { timeout: 8000 });
  // Pointing at a pixel lights the entries that land on it and lists them.
  await dx.getByRole('button', { name: /row 2, column 2:/ }).hover();
  await expect(figure.getByTestId('focus-detail')).toHaveText('dx[1,1] = 13 + 24 + 33 + 40 = 110 (4 windows: 0, 1, 2 and 3).');
  await expect(figure.locator('.matrix[data-role="matrix"] td[data-mark="active"]')).toHaveText(['40', '33', '24', '13']);
  expect(errors).toEqual([]);
});

test('overlapping, padding and dilation settings end at lib’s dx; invalid keeps the picture', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);

  // Overlapping windows preset: 4×4 input, 3×3 kernel, stride 1.
  await page.getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await expect(f.summary).toContainText('Output 2 × 2');
  expect(await gridTexts(f.coverage)).toEqual([['1', '2', '2', '1'], ['2', '4', '4', '2'], ['2', '4', '4', '2'], ['1', '2', '2', '1']]);
  await expectFinalDx(page, f, { H: 4, W: 4, K: [3, 3] });

  // Non-overlapping windows preset: every pixel in one window.
  await page.getByRole('button', { name: 'Non-overlapping windows', exact: true }).click();
  await expect(f.narration).toContainText('One GEMM first');
  expect((await gridTexts(f.coverage)).flat()).toEqual(new Array(16).fill('1'));
  await expectFinalDx(page, f, { H: 4, W: 4, K: [2, 2], stride: 2 });
  await expect(f.narration).toContainText('col2im only moved values');

  // Stride changes the output size to the engine's.
  await page.getByLabel('Stride', { exact: true }).fill('1');
  await expect(f.summary).toContainText(`Output ${convGeometry([1, 1, 4, 4], [2, 2], { stride: 1 }).OH} × 3`);

  // Padding 1: dropped entries, and the final grid (with its border) is lib's dx.
  await page.getByLabel('Padding', { exact: true }).fill('1');
  const gp = convGeometry([1, 1, 4, 4], [2, 2], { stride: 1, padding: 1 });
  await expect(f.summary).toContainText(`Output ${gp.OH} × ${gp.OW}`);
  await f.figure.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(f.narration).toContainText('3 entries fall on the padding and are dropped (10, 11, 12).');
  await expect(f.adds.filter({ hasText: 'dropped' })).toHaveCount(3);
  await expect(figureCode(f.figure)).toHaveCount(2);
  await expectFinalDx(page, f, { H: 4, W: 4, K: [2, 2], padding: 1 });

  // Dilation 2 on a 5×5 input with stride 2: sizes and the final grid from the engine.
  await page.getByLabel('Input height', { exact: true }).fill('5');
  await page.getByLabel('Input width', { exact: true }).fill('5');
  await page.getByLabel('Stride', { exact: true }).fill('2');
  await page.getByLabel('Dilation', { exact: true }).fill('2');
  const gd = convGeometry([1, 1, 5, 5], [2, 2], { stride: 2, padding: 1, dilation: 2 });
  await expect(f.summary).toContainText(`Output ${gd.OH} × ${gd.OW}`);
  await expectFinalDx(page, f, { H: 5, W: 5, K: [2, 2], stride: 2, padding: 1, dilation: 2 });

  // Two channels and two filters: one dx grid per channel, both lib's.
  await page.getByLabel('Channels', { exact: true }).fill('2');
  await page.getByLabel('Filters', { exact: true }).fill('2');
  await expect(f.dx).toHaveCount(2);
  const two: Case = { H: 5, W: 5, K: [2, 2], C: 2, F: 2, stride: 2, padding: 1, dilation: 2 };
  await expectFinalDx(page, f, two);
  const t = tensorsOf(two);
  expect(await gridTexts(f.dx.nth(1))).toEqual(expectedDx(t.x, t.w, t.dy, t.opts, 1));

  // Invalid: the engine's message inline, the last picture stays.
  const before = await gridTexts(f.dx.first());
  await page.getByLabel('Kernel height', { exact: true }).fill('7');
  await expect(page.getByText('kernel 7×2 (dilation 2 → 13×3) does not fit the padded input 7×7')).toBeVisible();
  expect(await gridTexts(f.dx.first())).toEqual(before);
  await page.getByLabel('Kernel height', { exact: true }).fill('2');
  await expect(page.getByText('Not drawn:')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('editing kernel and gradient cells and Randomize keep dx equal to lib’s', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);
  const kernel = f.figure.locator('.matrix[data-role="kernel"]').first();
  await kernel.getByRole('button', { name: /row 1, column 2:/ }).click();
  await kernel.getByRole('textbox').fill('-4');
  await kernel.getByRole('textbox').press('Enter');
  const gradient = f.figure.locator('.operands .matrix[data-role="gradient"]').first();
  await gradient.getByRole('button', { name: /row 2, column 1:/ }).click();
  await gradient.getByRole('textbox').fill('7');
  await gradient.getByRole('textbox').press('Enter');
  await expect(kernel.locator('tbody tr').first().locator('td').nth(1)).toHaveText('-4');
  const x = tensor([1, 1, 3, 3], counting(9, 1));
  const w = tensor([1, 1, 2, 2], [10, -4, 12, 13]);
  const dy = tensor([1, 1, 2, 2], [1, 2, 7, 4]);
  await f.figure.focus();
  await page.keyboard.press('End');
  await expect(f.check).toContainText('✓');
  expect(await gridTexts(f.dx)).toEqual(expectedDx(x, w, dy, { stride: 1, padding: 0, dilation: 1 }));

  // The input's values do not enter dx.
  const input = f.figure.locator('.matrix[data-role="input"]').first();
  const shown = await gridTexts(f.dx);
  await input.getByRole('button', { name: /row 1, column 1:/ }).click();
  await input.getByRole('textbox').fill('99');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('td').first()).toHaveText('99');
  expect(await gridTexts(f.dx)).toEqual(shown);

  await page.getByRole('button', { name: 'Randomize' }).click();
  const ws = (await gridTexts(kernel)).flat().map(Number);
  const dys = (await gridTexts(gradient)).flat().map(Number);
  await f.figure.focus();
  await page.keyboard.press('End');
  expect(await gridTexts(f.dx)).toEqual(expectedDx(x, tensor([1, 1, 2, 2], ws), tensor([1, 1, 2, 2], dys), { stride: 1, padding: 0, dilation: 1 }));
  await expect(f.check).toContainText('✓');
  expect(errors).toEqual([]);
});

test('the URL keeps the state; a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  let f = await figureOf(page);
  await page.getByLabel('Padding', { exact: true }).fill('1');
  await f.figure.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page).toHaveURL(/sc\.p=1/);
  await expect(page).toHaveURL(/sc\.step=3/);
  const url = page.url();
  const shown = await gridTexts(f.dx);
  const said = await f.narration.innerText();

  f = await figureOf(page, url);
  await expect(f.narration).toHaveText(said);
  expect(await gridTexts(f.dx)).toEqual(shown);
  await expect(page.getByLabel('Padding', { exact: true })).toHaveValue('1');

  f = await figureOf(page, `${PATH}?sc.s=zero&sc.g=oops&sc.step=99`);
  await expect(page.getByRole('note').first()).toContainText('Ignored stride "zero"');
  await expect(page.getByRole('note')).toHaveCount(3);
  await expect(f.narration).toContainText('One GEMM first');
  await expect(page.getByLabel('Stride', { exact: true })).toHaveValue('1');
  expect(errors).toEqual([]);
});

test('lesson 7 has no serious or critical accessibility violations', async ({ page }) => {
  await figureOf(page, `${PATH}?sc.p=1&sc.step=2`);
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 7 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-07');
  for (const [suffix, width] of [['wide', 1280], ['narrow', 375]] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { narration } = await figureOf(page, `${PATH}?sc.h=4&sc.w=4&sc.kh=3&sc.kw=3&sc.p=1&sc.step=5`);
    await expect(narration).toContainText('Window 4 of 16');
    await page.locator('.gradient-scatter').screenshot({ path: join(SCREENSHOTS, `lesson-07-figure-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
