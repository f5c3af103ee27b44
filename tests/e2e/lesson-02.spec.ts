import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { convGeometry, im2col, im2colBytes, tensor } from '../../lib/index.ts';
import { formatValue } from '../../lib/viz/format.ts';

const PATH = '/lessons/02-im2col/';
const seedX = tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

/** Scrolls the figure into view and waits until its island is live. */
async function figureOf(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Patch extraction' });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return {
    figure,
    narration: figure.locator('.narration'),
    matrix: figure.locator('.matrix[data-role="matrix"]'),
    inputs: figure.locator('.matrix[data-role="input"]'),
    summary: figure.locator('.summary'),
  };
}

/** The texts of a grid's cells, row by row ('' for a blank cell, one not copied yet). */
async function gridTexts(grid: Locator): Promise<string[][]> {
  return grid
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(row.querySelectorAll('td'), (td) => (td.hasAttribute('data-blank') ? '' : (td.textContent ?? '').trim())),
      ),
    );
}

/** Presses `key` with the focus on the figure's Step forward button (the transport keys work anywhere in the frame). */
async function press(page: Page, figure: Locator, key: string) {
  await figure.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press(key);
}

/** A settings field by its exact label (cell labels also mention "padding"). */
const field = (page: Page, name: string) => page.getByRole('spinbutton', { name, exact: true });

/** lib's im2col of `x` as the texts the figure should show. */
function expectedTexts(x: ReturnType<typeof tensor>, kernel: [number, number], opts = {}): string[][] {
  const cols = im2col(x, kernel, opts);
  const [rows, columns] = cols.shape;
  return Array.from({ length: rows }, (_, r) => Array.from(cols.data.subarray(r * columns, (r + 1) * columns), (v) => formatValue(v)));
}

test('lesson 2 renders math and code, hydrates, and fills X_col like lib’s im2col', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  // KaTeX (from remark-math and from the build-time engine figures), no raw TeX left.
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  const article = await page.locator('article').innerText();
  expect(article).not.toContain('\\begin{bmatrix}');
  expect(article).not.toContain('\\underbrace');
  // The AlexNet sizes were computed by the engine at build time.
  const alex = convGeometry([1, 3, 227, 227], [11, 11], { stride: 4 });
  const displays = (await page.locator('.katex-display').allInnerTexts()).map((t) => t.replace(/\s+/g, ''));
  const rows = alex.C * alex.KH * alex.KW;
  const columns = alex.OH * alex.OW;
  expect(displays.some((t) => t.includes(`=${rows}`) && t.includes('11⋅11'))).toBe(true);
  expect(displays.some((t) => t.includes(`${alex.OH}⋅${alex.OW}=${columns}`))).toBe(true);
  expect(displays.some((t) => t.includes(`${rows}⋅${columns}⋅4bytes=${im2colBytes(alex)}bytes`))).toBe(true);
  await expect(page.locator('article code', { hasText: `[96, ${alex.OH}, ${alex.OW}]` })).toBeVisible();
  // Shiki highlighted at build time, both themes present.
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const { figure, matrix, narration, inputs, summary } = await figureOf(page);
  await expect(inputs).toHaveCount(1);
  await expect(summary).toContainText('Output 2 × 2 · X_col 4 × 4');
  // Step 1: the first window starts; nothing is copied yet.
  await expect(narration).toHaveText(
    'Window 1 of 4 (row 0, column 0 of the output): copies 1, 2, 4, 5 into column 0 of X_col (column = oh·OW + ow = 0·2 + 0 = 0).',
  );
  expect((await gridTexts(matrix)).flat().every((t) => t === '')).toBe(true);
  // The code panel shows im2colLoops with the window line marked, then the copy line.
  await expect(figure.locator('.code-panel .active-line')).toContainText('const q = (n * OH + oh) * OW + ow;');
  await expect(figure.locator('.code-panel figcaption')).toContainText('lib/reference/im2col-loops.ts');
  await expect(figure.getByTestId('loop-vars')).toHaveText('n = 0  oh = 0  ow = 0');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(figure.locator('.code-panel .active-line')).toContainText('cols.data[r * Q + q] = value;');
  await expect(figure.getByTestId('loop-vars')).toHaveText('n = 0  oh = 0  ow = 0  c = 0  kh = 0  kw = 0');
  expect(await gridTexts(matrix)).toEqual([
    ['1', '', '', ''],
    ['', '', '', ''],
    ['', '', '', ''],
    ['', '', '', ''],
  ]);
  // The last step shows the whole matrix: lib's im2col, columns [1,2,4,5] … [5,6,8,9].
  await press(page, figure, 'End');
  expect(await gridTexts(matrix)).toEqual(expectedTexts(seedX, [2, 2]));
  expect(await gridTexts(matrix)).toEqual([
    ['1', '2', '4', '5'],
    ['2', '3', '5', '6'],
    ['4', '5', '7', '8'],
    ['5', '6', '8', '9'],
  ]);
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button narrates each copy', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, matrix, inputs } = await figureOf(page);
  await press(page, figure, 'ArrowRight');
  await expect(narration).toHaveText('X_col[0][0] = x[0,0] = 1');
  for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowRight');
  await expect(narration).toContainText('Window 2 of 4 (row 0, column 1 of the output): copies 2, 3, 5, 6 into column 1');
  await page.keyboard.press('End');
  await expect(narration).toHaveText('X_col[3][3] = x[2,2] = 9');
  await page.keyboard.press('Home');
  await expect(narration).toContainText('Window 1 of 4');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  for (let k = 0; k < 10; k++) await forward.click();
  await expect(narration).toHaveText(
    'Window 3 of 4 (row 1, column 0 of the output): copies 4, 5, 7, 8 into column 2 of X_col (column = oh·OW + ow = 1·2 + 0 = 2).',
  );
  // The window is outlined in the input, the column in the matrix; it fills in entry by entry.
  await expect(inputs.locator('td[data-mark="source"]')).toHaveText(['4', '5', '7', '8']);
  await expect(matrix.locator('td[data-blank]')).toHaveCount(8);
  for (let k = 0; k < 4; k++) await forward.click();
  await expect(narration).toHaveText('X_col[3][2] = x[2,1] = 8');
  await expect(matrix.locator('td[data-mark="target"]')).toHaveText(['4', '5', '7']);
  await expect(matrix.locator('td[data-mark="active"]')).toHaveText('8');
  await expect(inputs.locator('td[data-mark="active"]')).toHaveText('8');
  await figure.getByRole('button', { name: 'Step back' }).click();
  await expect(narration).toHaveText('X_col[2][2] = x[2,0] = 7');
  // Play runs to the end (at 4× speed).
  await figure.getByLabel('Speed').selectOption('4');
  await press(page, figure, 'Home');
  await figure.getByRole('button', { name: 'Play' }).click();
  await expect(narration).toHaveText('X_col[3][3] = x[2,2] = 9', { timeout: 10000 });
  expect(errors).toEqual([]);
});

test('padding, stride, dilation, channels and batch follow the engine; invalid keeps the picture', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, matrix, narration, inputs, summary } = await figureOf(page);
  const expectSize = async (
    shape: [number, number, number, number],
    k: [number, number],
    opts: { stride: number; padding: number; dilation: number },
  ) => {
    const g = convGeometry(shape, k, opts);
    await expect(summary).toContainText(`Output ${g.OH} × ${g.OW}`);
    const rows = g.C * g.KH * g.KW;
    const columns = g.N * g.OH * g.OW;
    await expect(matrix.locator('caption')).toHaveText(`X_col (${rows} × ${columns})`);
    await expect(matrix.locator('tbody tr')).toHaveCount(rows);
    await expect(matrix.locator('tbody tr').first().locator('td')).toHaveCount(columns);
  };

  // Padding 1: a zero border, 16 windows, and the final matrix equals lib's im2col.
  await field(page, 'Padding').fill('1');
  await expectSize([1, 1, 3, 3], [2, 2], { stride: 1, padding: 1, dilation: 1 });
  await expect(inputs.locator('td[data-padding="true"]')).toHaveCount(16);
  await expect(narration).toContainText('copies 0, 0, 0, 1 — 3 of them padding zeros into column 0');
  await press(page, figure, 'End');
  expect(await gridTexts(matrix)).toEqual(expectedTexts(seedX, [2, 2], { padding: 1 }));

  // Stride and dilation change the output size to the engine's value.
  await field(page, 'Input height').fill('5');
  await field(page, 'Input width').fill('5');
  await field(page, 'Stride').fill('2');
  await expectSize([1, 1, 5, 5], [2, 2], { stride: 2, padding: 1, dilation: 1 });
  await field(page, 'Dilation').fill('2');
  await expectSize([1, 1, 5, 5], [2, 2], { stride: 2, padding: 1, dilation: 2 });
  await press(page, figure, 'End');
  const x5 = tensor(
    [1, 1, 5, 5],
    Array.from({ length: 25 }, (_, k) => k + 1),
  );
  expect(await gridTexts(matrix)).toEqual(expectedTexts(x5, [2, 2], { stride: 2, padding: 1, dilation: 2 }));

  // Invalid: the engine's message inline, the last picture stays.
  const before = await gridTexts(matrix);
  await field(page, 'Kernel height').fill('7');
  await expect(page.getByText('kernel 7×2 (dilation 2 → 13×3) does not fit the padded input 7×7')).toBeVisible();
  expect(await gridTexts(matrix)).toEqual(before);
  await field(page, 'Kernel height').fill('2');
  await expect(page.getByText('Not drawn:')).toHaveCount(0);

  // Channels 2 and batch 2: one grid per image and channel, X_col as lib's im2col.
  await field(page, 'Dilation').fill('1');
  await field(page, 'Stride').fill('1');
  await field(page, 'Padding').fill('0');
  await field(page, 'Input height').fill('3');
  await field(page, 'Input width').fill('3');
  await field(page, 'Channels').fill('2');
  await field(page, 'Batch').fill('2');
  await expect(inputs).toHaveCount(4);
  await expectSize([2, 2, 3, 3], [2, 2], { stride: 1, padding: 0, dilation: 1 });
  await press(page, figure, 'End');
  const x4 = tensor(
    [2, 2, 3, 3],
    Array.from({ length: 36 }, (_, k) => k + 1),
  );
  expect(await gridTexts(matrix)).toEqual(expectedTexts(x4, [2, 2]));
  await expect(narration).toHaveText('X_col[7][7] = x[1,1,2,2] = 36');
  expect(errors).toEqual([]);
});

test('editing an input cell and Randomize keep X_col equal to lib’s im2col', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, matrix, inputs } = await figureOf(page);
  const input = inputs.first();
  await input.getByRole('button', { name: /row 2, column 2:/ }).click();
  await input.getByRole('textbox').fill('42');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('42');
  await press(page, figure, 'End');
  expect(await gridTexts(matrix)).toEqual(expectedTexts(tensor([1, 1, 3, 3], [1, 2, 3, 4, 42, 6, 7, 8, 9]), [2, 2]));

  await page.getByRole('button', { name: 'Randomize' }).click();
  const shown = (await gridTexts(input)).flat().map(Number);
  expect(shown).not.toEqual([1, 2, 3, 4, 42, 6, 7, 8, 9]);
  expect(await gridTexts(matrix)).toEqual(expectedTexts(tensor([1, 1, 3, 3], shown), [2, 2]));
  expect(errors).toEqual([]);
});

test('the URL keeps the state; a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const start = await figureOf(page);
  const { figure } = start;
  let { matrix, narration } = start;
  await field(page, 'Padding').fill('1');
  await press(page, figure, 'ArrowRight');
  await expect(page).toHaveURL(/pe\.p=1/);
  await expect(page).toHaveURL(/pe\.step=2/);
  const url = page.url();
  const shown = await gridTexts(matrix);
  const said = await narration.innerText();

  ({ matrix, narration } = await figureOf(page, url));
  await expect(narration).toHaveText(said);
  expect(await gridTexts(matrix)).toEqual(shown);
  await expect(field(page, 'Padding')).toHaveValue('1');

  ({ narration } = await figureOf(page, `${PATH}?pe.s=zero&pe.k=oops&pe.step=99`));
  await expect(page.getByRole('note').first()).toContainText('Ignored stride "zero"');
  // pe.k is not read: this figure has no kernel.
  await expect(page.getByRole('note')).toHaveCount(2);
  await expect(narration).toContainText('Window 1 of 4');
  await expect(field(page, 'Stride')).toHaveValue('1');
  expect(errors).toEqual([]);
});

test('Your turn: the reader picks the input pixel an X_col entry is copied from, then sees the copy', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, matrix, inputs, narration } = await figureOf(page);
  const turn = figure.getByTestId('your-turn');
  const verdict = turn.locator('.verdict');
  const count = figure.getByTestId('step-count');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  const input = inputs.first();
  const cols = im2col(seedX, [2, 2]);
  await turn.getByRole('button', { name: 'Your turn' }).click();
  // Step 1 starts window 1; moving on to its first copy asks where X_col[0][0] comes from.
  await forward.click();
  await expect(count).toHaveText('1 / 20');
  await expect(turn.locator('.prompt')).toHaveText('X_col[0][0] (window 1, kernel tap 0,0) comes from which input cell?');
  await expect(matrix.locator('td[data-blank]')).toHaveCount(16);
  // A wrong pick is corrected with the cell im2col read; then the copy is shown.
  await input.getByRole('button', { name: /row 2, column 2: 5 — press Enter to pick/ }).click();
  await expect(verdict).toHaveText('Not quite: you picked x[1,1] = 5; it is x[0,0] = 1.');
  await expect(count).toHaveText('2 / 20');
  await expect(narration).toHaveText('X_col[0][0] = x[0,0] = 1');
  expect((await gridTexts(matrix))[0][0]).toBe(formatValue(cols.data[0]));
  // Keyboard only: Step forward asks for X_col[1][0]; the arrow keys move in the input grid, Enter picks.
  await press(page, figure, 'ArrowRight');
  await expect(turn.locator('.prompt')).toContainText('X_col[1][0]');
  await input.getByRole('button', { name: /row 1, column 1:/ }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(verdict).toHaveText('Right: it is x[0,1] = 2.');
  await expect(count).toHaveText('3 / 20');
  await expect(narration).toHaveText('X_col[1][0] = x[0,1] = 2');
  // While no question is pending a click edits the cell as usual.
  await turn.getByRole('button', { name: 'Your turn' }).click();
  await expect(input.getByRole('button', { name: /row 1, column 1:.*press Enter to edit/ })).toBeVisible();
  expect(errors).toEqual([]);
});

test('lesson 2 has no serious or critical accessibility violations', async ({ page }) => {
  await figureOf(page);
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 2 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-02');
  // The figure itself, once hydrated, at both widths: the default and with padding and two channels.
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, query, says] of [
      ['default', '?pe.step=11', 'Window 3 of 4'],
      ['padded', '?pe.p=1&pe.c=2&pe.step=46', 'Window 6 of 16'],
    ] as const) {
      const { narration, figure } = await figureOf(page, PATH + query);
      await expect(narration).toContainText(says);
      await figure.screenshot({ path: join(SCREENSHOTS, `lesson-02-figure-${name}-${suffix}.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  }
});
