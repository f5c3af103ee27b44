import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { avgPool2d, avgPool2dBackward, im2col, maxPool2d, maxPool2dBackward, poolGeometry, tensor } from '../../lib/index.ts';
import type { Tensor } from '../../lib/index.ts';
import { formatValue } from '../../lib/viz/format.ts';

const PATH = '/lessons/09-pooling/';
const SEED_X = [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6];

/** Scrolls the figure into view, waits for its island to hydrate, and names its parts. */
async function figureOf(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Pooling through im2col', exact: true });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  const forward = figure.locator('.pass[data-pass="forward"]');
  const backward = figure.locator('.pass[data-pass="backward"]');
  return {
    figure,
    narration: figure.locator('.narration'),
    summary: figure.locator('.summary'),
    check: figure.locator('.check'),
    vars: figure.getByTestId('loop-vars'),
    mode: figure.getByLabel('Pooling', { exact: true }),
    inputs: forward.locator('.matrix[data-role="input"]'),
    matrix: forward.locator('.matrix[data-role="matrix"]'),
    outputs: forward.locator('.matrix[data-role="output"]'),
    dys: backward.locator('.matrix', { has: page.locator('caption', { hasText: /^Upstream gradient dy/ }) }),
    dcols: backward.locator('.matrix', { has: page.locator('caption', { hasText: /^dX_col/ }) }),
    dxs: backward.locator('.matrix', { has: page.locator('caption', { hasText: /^dx/ }) }),
    code: figure.locator('.code-panel'),
    forwardButton: figure.getByRole('button', { name: 'Step forward' }),
  };
}

/** Steps forward `k` times with the button. */
async function stepForward(f: Figure, k: number) {
  for (let i = 0; i < k; i++) await f.forwardButton.click();
}
type Figure = Awaited<ReturnType<typeof figureOf>>;

/** The texts of a grid's cells, row by row. */
async function gridTexts(grid: Locator): Promise<string[][]> {
  const rows = grid.locator('tbody tr');
  const out: string[][] = [];
  for (let r = 0; r < (await rows.count()); r++) out.push((await rows.nth(r).locator('td').allInnerTexts()).map((t) => t.trim()));
  return out;
}

interface Geometry {
  K: [number, number];
  stride: number;
  padding: number;
  dilation?: number;
}

/** The tensors the page shows: x (its grids without the padding border) and dy, as the engine's tensors. */
async function shownTensors(f: Figure, padding: number): Promise<{ x: Tensor; dy: Tensor }> {
  const planes = await f.inputs.count();
  const xs: number[] = [];
  const dys: number[] = [];
  let H = 0;
  let W = 0;
  let OH = 0;
  let OW = 0;
  for (let k = 0; k < planes; k++) {
    const grid = (await gridTexts(f.inputs.nth(k)))
      .slice(padding, -padding || undefined)
      .map((row) => row.slice(padding, -padding || undefined));
    H = grid.length;
    W = grid[0].length;
    xs.push(...grid.flat().map(Number));
    const dy = await gridTexts(f.dys.nth(k));
    OH = dy.length;
    OW = dy[0].length;
    dys.push(...dy.flat().map(Number));
  }
  return { x: tensor([1, planes, H, W], xs), dy: tensor([1, planes, OH, OW], dys) };
}

/** Plane `k` of a tensor as grid texts, with a zero border of `border`. */
function planeTexts(t: Tensor, k: number, border = 0): string[][] {
  const [, , H, W] = t.shape;
  return Array.from({ length: H + 2 * border }, (_, y) =>
    Array.from({ length: W + 2 * border }, (_, x) => {
      const inside = y >= border && y < border + H && x >= border && x < border + W;
      return inside ? formatValue(t.data[(k * H + y - border) * W + (x - border)]) : '0';
    }),
  );
}

/**
 * Goes to the last step and checks, for the values the page shows, that every output and dx grid
 * equals the engine's (maxPool2d / avgPool2d and their backward ops), and that the ✓ line is there.
 */
async function expectEngineNumbers(page: Page, f: Figure, mode: 'max' | 'avg', g: Geometry) {
  const { x, dy } = await shownTensors(f, g.padding);
  const opts = { stride: g.stride, padding: g.padding, dilation: g.dilation ?? 1 };
  const y = mode === 'max' ? maxPool2d(x, g.K, opts).y : avgPool2d(x, g.K, opts);
  const dx = mode === 'max' ? maxPool2dBackward(dy, x, g.K, opts) : avgPool2dBackward(dy, x.shape, g.K, opts);
  await f.figure.getByRole('button', { name: /^(Play|Pause)$/ }).focus();
  await page.keyboard.press('End');
  await expect(f.check).toContainText(`${mode === 'max' ? 'maxPool2dBackward' : 'avgPool2dBackward'}(dy, `);
  await expect(f.check).toContainText('✓');
  const planes = await f.outputs.count();
  for (let k = 0; k < planes; k++) {
    expect(await gridTexts(f.outputs.nth(k))).toEqual(planeTexts(y, k));
    expect(await gridTexts(f.dxs.nth(k))).toEqual(planeTexts(dx, k, g.padding));
  }
}

test('lesson 9 renders math and code, hydrates, and pools the default input like the engine', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  const article = await page.locator('article').innerText();
  expect(article).not.toContain('\\begin{bmatrix}');
  expect(article).not.toContain('\\frac');
  expect(article).toContain('Convolutional Neural Network with Numpy (Fast)');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const f = await figureOf(page);
  await expect(f.mode).toHaveValue('0');
  await expect(f.summary).toHaveText('x 4 × 4 → X_col 4 × 4 (window 2 × 2, stride 2) → max of each column → out 2 × 2');
  // The matrix is the engine's im2col of the planes.
  const x = tensor([1, 1, 4, 4], SEED_X);
  const cols = im2col(x, [2, 2], { stride: 2 });
  expect(await gridTexts(f.matrix)).toEqual(
    Array.from({ length: 4 }, (_, r) => Array.from(cols.data.subarray(r * 4, r * 4 + 4), (v) => formatValue(v))),
  );
  await expect(f.narration).toContainText('im2col, one channel at a time');
  // Progressive reveal: nothing is pooled yet, nothing routed, nothing added.
  expect((await gridTexts(f.outputs.first())).flat()).toEqual(['', '', '', '']);
  expect((await gridTexts(f.dxs.first())).flat().every((t) => t === '')).toBe(true);
  await expect(f.code.locator('figcaption')).toContainText('lib/reference/pool-loops.ts');
  await expect(f.code.locator('.active-line')).toContainText('const cols = im2colLoops(');

  // Window 2, position 0,1: 7 beats 3; the compare line is marked with the loop variables.
  await stepForward(f, 7);
  await expect(f.narration).toContainText('Window 2 of 4 (out[0,1]), position 0,1: x[0,3] = 7 > 3: the new max (row 1).');
  await expect(f.code.locator('.active-line')).toContainText('if (arg < 0 || v > best');
  await expect(f.vars).toHaveText('n = 0  c = 0  oh = 0  ow = 1  kh = 0  kw = 1');
  await expect(f.inputs.first().locator('td[data-mark="active"]')).toHaveText(['7']);
  await expect(f.inputs.first().locator('td[data-mark="source"]')).toHaveText(['3', '2', '5']);
  await expect(f.matrix.locator('td[data-mark="active"]')).toHaveText(['7']);
  const y = maxPool2d(x, [2, 2]).y;
  expect(await gridTexts(f.outputs.first())).toEqual([
    [formatValue(y.data[0]), ''],
    ['', ''],
  ]);
  // The store: out[0,1] appears only now.
  await stepForward(f, 3);
  await expect(f.narration).toContainText('out[0,1] = max(3, 7, 2, 5) = 7, from row 1');
  await expect(f.code.locator('.active-line')).toContainText('y.data[q] = best;');
  expect(await gridTexts(f.outputs.first())).toEqual([
    [formatValue(y.data[0]), formatValue(y.data[1])],
    ['', ''],
  ]);

  // Backward: the route line, then col2im's add, then the ✓ against maxPool2dBackward.
  await f.figure.getByRole('button', { name: 'Backward', exact: true }).click();
  await expect(f.narration).toContainText('the "switch"');
  await expect(f.code.locator('.active-line')).toContainText('dcols.data[r * Q + q] = dy.data[q];');
  await stepForward(f, 3);
  await expect(f.narration).toContainText('col2im: row 1 of column 1 goes back to dx[0,3]: 0 + 2 = 2.');
  await expect(f.code.locator('.active-line')).toContainText('dx.data[k] += dcols.data[r * Q + q];');
  await expect(f.dxs.first().locator('td[data-mark="active"]')).toHaveText(['2']);
  await expectEngineNumbers(page, f, 'max', { K: [2, 2], stride: 2, padding: 0 });
  await expect(f.narration).toContainText('dx matches maxPool2dBackward(dy, x, [2, 2], { stride: 2, padding: 0, dilation: 1 }) ✓');
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button moves the narration; pointing only highlights', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);
  const { figure, narration } = f;
  await f.forwardButton.focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('Window 1 of 4 (out[0,0]), position 0,0: x[0,0] = 1, the first real pixel: the max so far.');
  await page.keyboard.press('ArrowRight');
  await expect(narration).toContainText('x[0,1] = 4 > 1: the new max (row 1)');
  await page.keyboard.press('ArrowLeft');
  await expect(narration).toContainText('Window 1 of 4 (out[0,0]), position 0,0');
  await page.keyboard.press('End');
  await expect(narration).toContainText('dx is complete.');
  await page.keyboard.press('Home');
  await expect(narration).toContainText('im2col, one channel at a time');
  await f.forwardButton.click();
  await expect(narration).toContainText('Window 1 of 4');
  await figure.getByRole('button', { name: 'Step back' }).click();
  await expect(narration).toContainText('im2col, one channel at a time');
  // Play runs to the end (at 4×).
  await figure.getByRole('combobox', { name: 'Speed' }).selectOption('4');
  await figure.getByRole('button', { name: 'Play' }).click();
  await expect(narration).toContainText('dx is complete.', { timeout: 15000 });
  // Pointing at a matrix entry names where it came from, and leaves the step where it is.
  const count = await figure.getByTestId('step-count').textContent();
  await f.matrix.getByRole('button', { name: /row 2, column 2:/ }).hover();
  await expect(figure.getByTestId('focus-detail')).toHaveText(
    'X_col[1][1] = 7, copied from x[0,3] (window 2, position 0,1) — the max of its column.',
  );
  await expect(figure.getByTestId('step-count')).toHaveText(count!);
  expect(errors).toEqual([]);
});

test('average pooling: running sums, the mean of each column and dy/4 everywhere, equal to lib', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);
  await f.mode.selectOption('1');
  await expect(f.summary).toContainText('mean of each column');
  await stepForward(f, 10);
  await expect(f.narration).toContainText('out[0,1] = (3 + 7 + 2 + 5)/4 = 4.25: the sum 17 divided by 4.');
  await expect(f.code.locator('.active-line')).toContainText('y.data[q] = sum / (KH * KW);');
  await expect(f.matrix.locator('td[data-mark="active"]')).toHaveText(['3', '7', '2', '5']);
  await f.figure.getByRole('button', { name: 'Backward', exact: true }).click();
  await expect(f.narration).toContainText('dy[0,0] = 1 is shared evenly: 1/4 = 0.25 in every row of column 0');
  await expect(f.dcols.locator('td[data-mark="active"]')).toHaveText(['0.25', '0.25', '0.25', '0.25']);
  await stepForward(f, 4);
  await expect(f.dxs.first().locator('td[data-mark="active"]')).toHaveText(['0.25']);
  await expectEngineNumbers(page, f, 'avg', { K: [2, 2], stride: 2, padding: 0 });
  await expect(page).toHaveURL(/pl\.mode=1/);
  expect(errors).toEqual([]);
});

test('overlapping, non-overlapping and padded windows end at lib’s numbers in both modes; invalid keeps the picture', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const f = await figureOf(page);
  const modes = ['max', 'avg'] as const;
  const value = { max: '0', avg: '1' } as const;

  // Overlapping windows: 3×3 moving by 1; in max pooling the 9 wins all four windows and collects 10.
  await page.getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await expect(f.summary).toContainText('window 3 × 3, stride 1');
  for (const mode of modes) {
    await f.mode.selectOption(value[mode]);
    await expectEngineNumbers(page, f, mode, { K: [3, 3], stride: 1, padding: 0 });
  }
  await f.mode.selectOption('0');
  await expectEngineNumbers(page, f, 'max', { K: [3, 3], stride: 1, padding: 0 });
  await expect(f.narration).toContainText('collected the sum of their gradients (up to 4)');
  expect((await gridTexts(f.dxs.first()))[2][2]).toBe('10');

  // Non-overlapping windows: 2×2 moving by 2.
  await page.getByRole('button', { name: 'Non-overlapping windows', exact: true }).click();
  await expect(f.summary).toContainText('window 2 × 2, stride 2');
  for (const mode of modes) {
    await f.mode.selectOption(value[mode]);
    await expectEngineNumbers(page, f, mode, { K: [2, 2], stride: 2, padding: 0 });
  }

  // The stride field changes the output size to the engine's.
  await page.getByRole('spinbutton', { name: 'Stride' }).fill('1');
  const g1 = poolGeometry([1, 1, 4, 4], [2, 2], { stride: 1 }).g;
  await expect(f.summary).toContainText(`out ${g1.OH} × ${g1.OW}`);
  expect(await gridTexts(f.outputs.first())).toHaveLength(g1.OH);

  // Padding 1 (stride 2): max skips the border, average counts it; both end at lib's dx.
  await page.getByRole('spinbutton', { name: 'Stride' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Padding' }).fill('1');
  const gp = poolGeometry([1, 1, 4, 4], [2, 2], { stride: 2, padding: 1 }).g;
  await expect(f.summary).toContainText(`out ${gp.OH} × ${gp.OW}`);
  for (const mode of modes) {
    await f.mode.selectOption(value[mode]);
    await f.forwardButton.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await expect(f.narration).toContainText(
      mode === 'max' ? 'in the padding, skipped — padding never wins' : 'sum = 0 + 0 = 0 (a padding zero counts)',
    );
    await expectEngineNumbers(page, f, mode, { K: [2, 2], stride: 2, padding: 1 });
  }

  // Two channels and a dilated 2×2 window on a 5×5 input: one grid per channel, all lib's.
  await page.getByRole('spinbutton', { name: 'Input height' }).fill('5');
  await page.getByRole('spinbutton', { name: 'Input width' }).fill('5');
  await page.getByRole('spinbutton', { name: 'Dilation' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Channels' }).fill('2');
  await expect(f.outputs).toHaveCount(2);
  await expectEngineNumbers(page, f, 'avg', { K: [2, 2], stride: 2, padding: 1, dilation: 2 });

  // Invalid: the engine's message inline, the last picture stays.
  await f.mode.selectOption('0');
  await page.getByRole('spinbutton', { name: 'Dilation' }).fill('1');
  await page.getByRole('spinbutton', { name: 'Input height' }).fill('4');
  await page.getByRole('spinbutton', { name: 'Input width' }).fill('4');
  await page.getByRole('spinbutton', { name: 'Channels' }).fill('1');
  await expect(f.outputs).toHaveCount(1);
  const before = await gridTexts(f.dxs.first());
  await page.getByRole('spinbutton', { name: 'Padding' }).fill('3');
  await expect(page.getByText('maxPool2d: padding 3 leaves the 2×2 window of output (0, 0) entirely in the zero border')).toBeVisible();
  expect(await gridTexts(f.dxs.first())).toEqual(before);
  await page.getByRole('spinbutton', { name: 'Window height' }).fill('9');
  await expect(page.getByText('Window height must be an integer from 1 to 7, got 9')).toBeVisible();
  await page.getByRole('spinbutton', { name: 'Window height' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Padding' }).fill('1');
  await expect(page.getByText('Not drawn:')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('typing input and gradient values, and Randomize, keep the numbers equal to lib’s', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await figureOf(page);
  const input = f.inputs.first();
  await input.locator('[data-cell="0,0"]').click();
  await input.getByRole('textbox').fill('12');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('td').first()).toHaveText('12');
  const dy = f.dys.first();
  await dy.locator('[data-cell="1,1"]').click();
  await dy.getByRole('textbox').fill('-5');
  await dy.getByRole('textbox').press('Enter');
  await expect(dy.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('-5');
  await expectEngineNumbers(page, f, 'max', { K: [2, 2], stride: 2, padding: 0 });
  // The new 12 wins window 1, so dy[0,0] lands on x[0,0].
  expect((await gridTexts(f.dxs.first()))[0][0]).toBe('1');

  await page.getByRole('button', { name: 'Randomize' }).click();
  await expectEngineNumbers(page, f, 'max', { K: [2, 2], stride: 2, padding: 0 });
  await f.mode.selectOption('1');
  await expectEngineNumbers(page, f, 'avg', { K: [2, 2], stride: 2, padding: 0 });
  expect(errors).toEqual([]);
});

test('the URL keeps the state; a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  let f = await figureOf(page);
  await f.mode.selectOption('1');
  await page.getByRole('spinbutton', { name: 'Padding' }).fill('1');
  await stepForward(f, 3);
  await expect(page).toHaveURL(/pl\.p=1/);
  await expect(page).toHaveURL(/pl\.step=4/);
  await expect(page).toHaveURL(/pl\.mode=1/);
  const url = page.url();
  const said = await f.narration.innerText();
  const shown = await gridTexts(f.outputs.first());

  f = await figureOf(page, url);
  await expect(f.narration).toHaveText(said);
  expect(await gridTexts(f.outputs.first())).toEqual(shown);
  await expect(f.mode).toHaveValue('1');
  await expect(page.getByRole('spinbutton', { name: 'Padding' })).toHaveValue('1');
  await expect(page.getByRole('note')).toHaveCount(0);

  f = await figureOf(page, `${PATH}?pl.s=zero&pl.mode=median&pl.step=99`);
  await expect(page.getByRole('note')).toHaveCount(3);
  await expect(page.getByRole('note').filter({ hasText: 'Ignored stride "zero"' })).toHaveCount(1);
  await expect(f.narration).toContainText('im2col, one channel at a time');
  await expect(page.getByRole('spinbutton', { name: 'Stride' })).toHaveValue('2');
  await expect(f.mode).toHaveValue('0');
  expect(errors).toEqual([]);
});

test('lesson 9 has no serious or critical accessibility violations', async ({ page }) => {
  // Mid-way through the backward pass, with padding: every kind of cell mark is on the page.
  await figureOf(page, `${PATH}?pl.mode=1&pl.p=1&pl.step=52`);
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 9 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-09');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { narration, figure } = await figureOf(page, `${PATH}?pl.kh=3&pl.kw=3&pl.s=1&pl.step=44`);
    await expect(narration).toContainText('Backward, window 2 of 4');
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-09-figure-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
