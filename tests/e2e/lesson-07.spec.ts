import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2dBackward, convGeometry, matmul, reshape, tensor } from '../../lib/index.ts';
import type { Tensor } from '../../lib/index.ts';
import { formatValue } from '../../lib/viz/format.ts';

const PATH = '/lessons/07-input-gradient-col2im/';
const counting = (length: number, start: number) => Array.from({ length }, (_, k) => start + k);

/** Scrolls the figure into view and waits until its island is live. */
async function figureOf(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Gradient scatter' });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
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
function expectedDx(
  x: Tensor,
  w: Tensor,
  dy: Tensor,
  opts: { stride: number; padding: number; dilation: number },
  channel = 0,
): string[][] {
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

/** Presses `key` with the focus on the figure's Step forward button (the transport keys work anywhere in the frame). */
async function press(page: Page, figure: Locator, key: string) {
  await figure.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press(key);
}

/** Goes to the last step and checks the dx grid equals lib's conv2dBackward dx, and the ✓ line. */
async function expectFinalDx(page: Page, f: Awaited<ReturnType<typeof figureOf>>, c: Case) {
  const { x, w, dy, opts } = tensorsOf(c);
  await press(page, f.figure, 'End');
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
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const f = await figureOf(page);
  const { x, w, dy, opts } = tensorsOf({ H: 3, W: 3, K: [2, 2] });
  await expect(f.summary).toHaveText('Output 2 × 2 · W_rowᵀ 4 × 1 × dY_row 1 × 4 = dX_col 4 × 4 · dx 3 × 3');
  // Step 1: the GEMM. dX_col equals lib's matmul(W_row, dY_row, transA); dx is still zero.
  await expect(f.narration).toContainText('One GEMM first: dX_col = W_rowᵀ × dY_row, 4 × 1 times 1 × 4 gives 4 × 4.');
  const dcols = matmul(reshape(w, [1, 4]), reshape(dy, [1, 4]), { transA: true });
  expect(await gridTexts(f.dcols)).toEqual(
    Array.from({ length: 4 }, (_, r) => Array.from(dcols.data.subarray(r * 4, r * 4 + 4), (v) => formatValue(v))),
  );
  // dx is blank until entries reach it.
  expect(await gridTexts(f.dx)).toEqual([
    ['', '', ''],
    ['', '', ''],
    ['', '', ''],
  ]);
  expect(await gridTexts(f.coverage)).toEqual([
    ['1', '2', '1'],
    ['2', '4', '2'],
    ['1', '2', '1'],
  ]);
  await expect(f.check).toContainText('0 of 4 windows folded');
  await expect(figureCode(f.figure)).toHaveCount(0);

  // Step 2: column 0 goes into the top-left window; the window line of col2imLoops is marked.
  const forward = f.figure.getByRole('button', { name: 'Step forward' });
  await forward.click();
  await expect(f.adds).toHaveText(['dx[0,0]: 0 + 10 = 10', 'dx[0,1]: 0 + 11 = 11', 'dx[1,0]: 0 + 12 = 12', 'dx[1,1]: 0 + 13 = 13']);
  await expect(figureCode(f.figure)).toContainText('const q = (n * OH + oh) * OW + ow;');
  await expect(f.figure.getByTestId('loop-vars')).toHaveText('n = 0  oh = 0  ow = 0');
  await expect(f.figure.locator('.code-panel figcaption')).toContainText('lib/reference/col2im-loops.ts');
  await expect(f.dcols.locator('td[data-mark="source"]')).toHaveText(['10', '11', '12', '13']);
  // Steps 3–6: each entry is added, the add line marked; the fourth lands on dx[1,1].
  for (let k = 0; k < 4; k++) await forward.click();
  await expect(figureCode(f.figure)).toContainText('dx.data[k] += value;');
  await expect(f.figure.getByTestId('loop-vars')).toHaveText('n = 0  oh = 0  ow = 0  c = 0  kh = 1  kw = 1');
  await expect(f.dx.locator('td[data-mark="target"]')).toHaveText(['10', '11', '12']);
  await expect(f.dx.locator('td[data-mark="active"]')).toHaveText('13');

  // The last step: the total is lib's dx, and the view-model's comparison says so.
  await expectFinalDx(page, f, { H: 3, W: 3, K: [2, 2] });
  expect(await gridTexts(f.dx)).toEqual([
    ['10', '31', '22'],
    ['42', '110', '70'],
    ['36', '87', '52'],
  ]);
  expect(conv2dBackward(dy, x, w, opts).dx.data[4]).toBe(110);
  await expect(f.narration).toContainText(
    'matches conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 }).dx ✓ (all 9 values, bit for bit)',
  );
  expect(errors).toEqual([]);
});

/** The highlighted line(s) of the figure's code panel. */
function figureCode(figure: Locator): Locator {
  return figure.locator('.code-panel .active-line');
}

test('stepping by keyboard and by button narrates each add with before and after', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, dx } = await figureOf(page);
  await press(page, figure, 'ArrowRight');
  await expect(narration).toHaveText(
    'Window 1 of 4 (row 0, column 0 of the output): column 0 of dX_col goes back into its window, 4 entries into dx.',
  );
  for (let k = 0; k < 6; k++) await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('window 2 of 4, entry 0 (tap 0,0): dx[0,1]: 11 + 20 = 31.');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('window 2 of 4, entry 3 (tap 1,1): dx[1,2]: 0 + 26 = 26.');
  expect(await gridTexts(dx)).toEqual([
    ['10', '31', '22'],
    ['12', '37', '26'],
    ['', '', ''],
  ]);
  await page.keyboard.press('End');
  await expect(narration).toContainText('All 4 windows are folded back');
  await page.keyboard.press('Home');
  await expect(narration).toContainText('One GEMM first');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  for (let k = 0; k < 13; k++) await forward.click();
  await expect(narration).toHaveText('window 3 of 4, entry 1 (tap 0,1): dx[1,1]: 37 + 33 = 70.');
  await figure.getByRole('button', { name: 'Step back' }).click();
  await expect(narration).toHaveText('window 3 of 4, entry 0 (tap 0,0): dx[1,0]: 12 + 30 = 42.');
  // Play runs to the end (at 4× speed); Space on the scrubber pauses and plays.
  await figure.getByLabel('Speed').selectOption('4');
  await press(page, figure, 'Home');
  await figure.getByRole('button', { name: 'Play' }).click();
  await expect(narration).toContainText('All 4 windows are folded back', { timeout: 10000 });
  // Pointing at a pixel lights the entries that land on it and lists them; the step stays.
  const count = await figure.getByTestId('step-count').textContent();
  await dx.getByRole('button', { name: /row 2, column 2:/ }).hover();
  await expect(figure.getByTestId('focus-detail')).toHaveText('dx[1,1] = 13 + 24 + 33 + 40 = 110 (4 windows: 0, 1, 2 and 3).');
  await expect(figure.locator('.matrix[data-role="matrix"] td[data-mark="active"]')).toHaveText(['40', '33', '24', '13']);
  await expect(figure.getByTestId('step-count')).toHaveText(count!);
  expect(errors).toEqual([]);
});

test('overlapping, padding and dilation settings end at lib’s dx; invalid keeps the picture', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);

  // Overlapping windows preset: 4×4 input, 3×3 kernel, stride 1.
  await page.getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await expect(f.summary).toContainText('Output 2 × 2');
  expect(await gridTexts(f.coverage)).toEqual([
    ['1', '2', '2', '1'],
    ['2', '4', '4', '2'],
    ['2', '4', '4', '2'],
    ['1', '2', '2', '1'],
  ]);
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
  await press(page, f.figure, 'Home');
  await page.keyboard.press('ArrowRight');
  await expect(f.narration).toContainText('3 entries fall on the padding and are dropped.');
  await expect(f.adds.filter({ hasText: 'dropped' })).toHaveCount(3);
  await page.keyboard.press('ArrowRight');
  await expect(f.narration).toHaveText('window 1 of 25, entry 0 (tap 0,0): its pixel lies in the padding, so 10 is dropped.');
  await expect(figureCode(f.figure)).toHaveText('continue; // from the padding: dropped');
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
  await press(page, f.figure, 'End');
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
  await press(page, f.figure, 'End');
  expect(await gridTexts(f.dx)).toEqual(
    expectedDx(x, tensor([1, 1, 2, 2], ws), tensor([1, 1, 2, 2], dys), { stride: 1, padding: 0, dilation: 1 }),
  );
  await expect(f.check).toContainText('✓');
  expect(errors).toEqual([]);
});

test('the URL keeps the state; a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  let f = await figureOf(page);
  await page.getByLabel('Padding', { exact: true }).fill('1');
  await press(page, f.figure, 'ArrowRight');
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

test('Your turn: the reader types a pixel’s summed gradient, the figure checks it against conv2dBackward, then folds', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, dx } = await figureOf(page);
  const turn = figure.getByTestId('your-turn');
  const verdict = turn.locator('.verdict');
  const count = figure.getByTestId('step-count');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  const ref = conv2dBackward(
    tensor([1, 1, 2, 2], counting(4, 1)),
    tensor([1, 1, 3, 3], counting(9, 1)),
    tensor([1, 1, 2, 2], counting(4, 10)),
  ).dx;
  await turn.getByRole('button', { name: 'Your turn' }).click();
  // GEMM, window 1, dx[0,0] (one window only: no question); dx[0,1] is in two windows: asked.
  for (let k = 0; k < 3; k++) await forward.click();
  await expect(count).toHaveText('3 / 22');
  await expect(turn.locator('.prompt')).toHaveText('What will dx[0,1] sum to? (2 windows reach it)');
  const answer = turn.getByRole('textbox', { name: 'dx[0,1] =' });
  await expect(answer).toBeFocused();
  await answer.fill(String(ref.data[1] + 5));
  await answer.press('Enter');
  await expect(verdict).toHaveAttribute('data-status', 'wrong');
  await expect(verdict).toContainText(`but dx[0,1] = `);
  await expect(verdict).toContainText(`= ${ref.data[1]}.`);
  await expect(count).toHaveText('4 / 22');
  await expect(narration).toContainText('dx[0,1]: 0 +');
  // Keyboard only: → from the toggle steps on to the next pixel several windows reach, dx[1,0].
  await expect(turn.getByRole('button', { name: 'Your turn' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(turn.getByRole('textbox', { name: 'dx[1,0] =' })).toBeFocused();
  await page.keyboard.type(String(ref.data[3]));
  await page.keyboard.press('Enter');
  await expect(verdict).toHaveAttribute('data-status', 'right');
  await expect(verdict).toContainText(`dx[1,0] = `);
  // Played to the end, the pixel holds the total the reader was told.
  await turn.getByRole('button', { name: 'Your turn' }).click();
  await press(page, figure, 'End');
  await expect(dx.first().locator('tbody tr').nth(0).locator('td').nth(1)).toHaveText(formatValue(ref.data[1]));
  await expect(dx.first().locator('tbody tr').nth(1).locator('td').nth(0)).toHaveText(formatValue(ref.data[3]));
  expect(errors).toEqual([]);
});

test('lesson 7 has no serious or critical accessibility violations', async ({ page }) => {
  await figureOf(page, `${PATH}?sc.p=1&sc.step=2`);
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 7 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-07');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { narration, figure } = await figureOf(page, `${PATH}?sc.h=4&sc.w=4&sc.kh=3&sc.kw=3&sc.p=1&sc.step=32`);
    await expect(narration).toContainText('Window 4 of 16');
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-07-figure-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
