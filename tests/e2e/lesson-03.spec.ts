import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { convGeometry, im2col, im2colIndices, tensor } from '../../lib/index.ts';

const PATH = '/lessons/03-index-matrices/';

// The blog post's example, computed by the engine: x = 1…48 in [1, 3, 4, 4], 2×2 kernel.
const SHAPE = [1, 3, 4, 4];
const x = tensor(
  SHAPE,
  Array.from({ length: 48 }, (_, k) => k + 1),
);
const idx = im2colIndices(SHAPE, [2, 2]);
const cols = im2col(x, [2, 2]);
const COLUMNS = idx.columns;

/** The engine's narration for X_col cell (r, p) of the default example (no padding, one image). */
function expectedNarration(r: number, p: number): string {
  const y = idx.i[r * COLUMNS + p];
  const xx = idx.j[r * COLUMNS + p];
  const c = idx.d[r];
  const value = x.data[(c * 4 + y) * 4 + xx];
  return `i[${r}][${p}] = ${y}, j[${r}][${p}] = ${xx}, d[${r}] = ${c} → x[0, ${c}, ${y}, ${xx}] = ${value} fills X_col[${r}][${p}]`;
}

function cellOf(table: Locator, r: number, c: number): Locator {
  return table.locator('tbody tr').nth(r).locator('td').nth(c);
}

/** The narration of the step that reads row r's channel (d[r]) in the default example. */
function rowNarration(r: number): string {
  const c = idx.d[r];
  return `d[${r}] = ${c} → all ${COLUMNS} entries of X_col row ${r} are copied from channel ${c}, at the rows i[${r}][·] and columns j[${r}][·] of the padded image`;
}

/** Scrolls the figure into view and waits until its island is live. */
async function openFigure(page: Page, path = PATH): Promise<Locator> {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Index matrices', exact: true });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return figure;
}

/** Presses `key` with the focus on the figure's Step forward button (the transport keys work anywhere in the frame). */
async function press(page: Page, figure: Locator, key: string) {
  await figure.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press(key);
}

test("lesson 3 renders math and code, hydrates, and gathers the post's matrix", async ({ page }) => {
  const errors = watchErrors(page);
  const figure = await openFigure(page);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\delta');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);
  // The code panel shows gatherLoops: the first step reads row 0's channel, the next gathers an entry.
  const active = figure.locator('.code-panel [data-line].active-line');
  await expect(active).toHaveCount(1);
  await expect(active).toContainText('const c = d[r];');
  await expect(figure.getByTestId('loop-vars')).toHaveText('r = 0  c = 0');

  // X_col, i, j and d as the engine computes them.
  const xcol = figure.getByRole('grid', { name: 'X_col', exact: true });
  const rows = xcol.locator('tbody tr');
  await expect(rows).toHaveCount(idx.rows);
  for (let r = 0; r < idx.rows; r++) {
    const expected = Array.from(cols.data.subarray(r * COLUMNS, (r + 1) * COLUMNS), String);
    await expect(rows.nth(r).locator('td')).toHaveText(expected);
  }
  const iTable = figure.getByRole('grid', { name: 'i', exact: true });
  await expect(iTable.locator('tbody tr').nth(2).locator('td')).toHaveText(Array.from(idx.i.subarray(2 * COLUMNS, 3 * COLUMNS), String));
  await expect(figure.getByRole('grid', { name: 'd', exact: true }).locator('tbody td')).toHaveText(Array.from(idx.d, String));
  await expect(figure.getByTestId('ix-agreement')).toContainText('equals im2col(x): all 108 entries');
  await expect(figure.locator('.narration')).toHaveText(rowNarration(0));
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(figure.locator('.narration')).toHaveText(expectedNarration(0, 0));
  await expect(active).toContainText('cols.data[r * Q + q] = value;');
  await expect(figure.getByTestId('loop-vars')).toHaveText('r = 0  n = 0  p = 0');
  expect(errors).toEqual([]);
});

test('hovering or focusing an index entry lights the pixel it addresses and the cell it fills', async ({ page }) => {
  const errors = watchErrors(page);
  const figure = await openFigure(page);
  // Pointing writes what it links under the grids; the step (and its narration) stays.
  const narration = figure.getByTestId('ix-link');
  const count = await figure.getByTestId('step-count').textContent();
  const iTable = figure.getByRole('grid', { name: 'i', exact: true });
  const jTable = figure.getByRole('grid', { name: 'j', exact: true });
  const xcol = figure.getByRole('grid', { name: 'X_col', exact: true });
  const input = figure.getByRole('group', { name: 'Input planes' });

  for (const [r, p, how] of [
    [5, 3, 'hover'],
    [10, 7, 'hover'],
    [2, 8, 'focus'],
  ] as const) {
    const entry = cellOf(how === 'hover' ? iTable : jTable, r, p).locator('button');
    if (how === 'hover') await entry.hover();
    else await entry.focus();
    const c = idx.d[r];
    const y = idx.i[r * COLUMNS + p];
    const xx = idx.j[r * COLUMNS + p];
    await expect(narration).toHaveText(expectedNarration(r, p));
    const sources = input.locator('td[data-mark="source"]');
    await expect(sources).toHaveCount(1);
    await expect(cellOf(input.getByRole('grid', { name: `x[0, ${c}]`, exact: true }), y, xx)).toHaveAttribute('data-mark', 'source');
    await expect(xcol.locator('td[data-mark="target"]')).toHaveCount(1);
    await expect(cellOf(xcol, r, p)).toHaveAttribute('data-mark', 'target');
    await expect(cellOf(iTable, r, p)).toHaveAttribute('data-mark', 'active');
    await expect(cellOf(jTable, r, p)).toHaveAttribute('data-mark', 'active');
    await expect(cellOf(figure.getByRole('grid', { name: 'd', exact: true }), r, 0)).toHaveAttribute('data-mark', 'active');
  }
  await page.mouse.move(0, 0);

  // An input pixel lights every matrix cell that copies it: x[0, 1, 1, 1] = 22 appears four times.
  await cellOf(input.getByRole('grid', { name: 'x[0, 1]', exact: true }), 1, 1)
    .locator('button')
    .hover();
  const copies: string[] = [];
  for (let r = 0; r < idx.rows; r++) {
    for (let p = 0; p < COLUMNS; p++) {
      if (idx.d[r] === 1 && idx.i[r * COLUMNS + p] === 1 && idx.j[r * COLUMNS + p] === 1) copies.push(`X_col[${r}][${p}]`);
    }
  }
  expect(copies).toHaveLength(4);
  await expect(narration).toHaveText(`x[0, 1, 1, 1] = 22 fills 4 cells of X_col: ${copies.join(', ')}`);
  const targets = xcol.locator('td[data-mark="target"]');
  await expect(targets).toHaveCount(4);
  await expect(targets).toHaveText(['22', '22', '22', '22']);
  await page.mouse.move(0, 0);
  await expect(figure.getByTestId('step-count')).toHaveText(count!);
  await expect(figure.locator('.narration')).toHaveText(rowNarration(0));
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button walks X_col row by row, entry by entry', async ({ page }) => {
  const errors = watchErrors(page);
  const figure = await openFigure(page);
  const narration = figure.locator('.narration');
  const xcol = figure.getByRole('grid', { name: 'X_col', exact: true });
  await press(page, figure, 'ArrowRight');
  await expect(narration).toHaveText(expectedNarration(0, 0));
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText(expectedNarration(0, 1));
  await expect(cellOf(xcol, 0, 1)).toHaveAttribute('data-mark', 'target');
  await page.keyboard.press('End');
  await expect(narration).toHaveText(expectedNarration(11, 8));
  await page.keyboard.press('Home');
  await expect(narration).toHaveText(rowNarration(0));
  const forward = figure.getByRole('button', { name: 'Step forward' });
  for (let k = 0; k < 10; k++) await forward.click();
  await expect(narration).toHaveText(rowNarration(1));
  await forward.click();
  await expect(narration).toHaveText(expectedNarration(1, 0));
  await figure.getByRole('button', { name: 'Step back' }).click();
  await expect(narration).toHaveText(rowNarration(1));
  await expect(page).toHaveURL(/ix\.step=11/);
  // Space on the scrubber plays: the narration moves on by itself; Space again pauses.
  await figure.getByRole('slider', { name: 'Step' }).focus();
  await page.keyboard.press(' ');
  await expect(narration).not.toHaveText(rowNarration(1), { timeout: 5000 });
  await page.keyboard.press(' ');
  await expect(figure.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(errors).toEqual([]);
});

test("settings change the matrices to the engine's sizes; invalid ones keep the last picture", async ({ page }) => {
  const errors = watchErrors(page);
  const figure = await openFigure(page);
  const summary = page.getByTestId('ix-summary');
  const xcol = figure.getByRole('grid', { name: 'X_col', exact: true });

  async function expectShape(opts: { stride?: number; padding?: number; dilation?: number }) {
    const g = convGeometry(SHAPE, [2, 2], opts);
    const rows = 3 * 2 * 2;
    await expect(summary).toContainText(`${g.OH} × ${g.OW} windows`);
    await expect(summary).toContainText(`X_col: ${rows} × ${g.OH * g.OW}`);
    await expect(xcol.locator('tbody tr')).toHaveCount(rows);
    await expect(xcol.locator('tbody tr').first().locator('td')).toHaveCount(g.OH * g.OW);
    const ref = im2col(x, [2, 2], opts);
    await expect(xcol.locator('tbody tr').first().locator('td')).toHaveText(Array.from(ref.data.subarray(0, g.OH * g.OW), String));
  }

  await page.getByLabel('Stride', { exact: true }).fill('2');
  await expectShape({ stride: 2 });
  await page.getByLabel('Padding', { exact: true }).fill('1');
  await expectShape({ stride: 2, padding: 1 });
  await expect(figure.getByRole('grid', { name: 'x_padded[0, 0]', exact: true }).locator('tbody tr')).toHaveCount(6);
  await page.getByLabel('Stride', { exact: true }).fill('1');
  await page.getByLabel('Dilation', { exact: true }).fill('2');
  await expectShape({ padding: 1, dilation: 2 });
  await expect(page).toHaveURL(/ix\.p=1/);
  await expect(page).toHaveURL(/ix\.d=2/);

  // Kernel height 5 with dilation 2 reaches 9 rows: the engine refuses; the picture stays.
  let message = '';
  try {
    convGeometry(SHAPE, [5, 2], { padding: 1, dilation: 2 });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).not.toBe('');
  await page.getByLabel('Kernel height', { exact: true }).fill('5');
  await expect(page.getByText(message)).toBeVisible();
  await expectShape({ padding: 1, dilation: 2 });
  await page.getByLabel('Kernel height', { exact: true }).fill('2');
  await expect(page.getByText(message)).toHaveCount(0);

  // Editing an input pixel updates every copy; Randomize keeps gather = im2col.
  await page.getByLabel('Padding', { exact: true }).fill('0');
  await page.getByLabel('Dilation', { exact: true }).fill('1');
  await cellOf(figure.getByRole('grid', { name: 'x[0, 0]', exact: true }), 0, 0)
    .locator('button')
    .click();
  const box = figure.getByRole('textbox', { name: 'x[0, 0] row 1, column 1' });
  await box.fill('100');
  await box.press('Enter');
  await expect(cellOf(xcol, 0, 0)).toHaveText('100');
  await page.getByRole('button', { name: 'Randomize' }).click();
  await expect(cellOf(xcol, 0, 1)).not.toHaveText('2');
  await expect(figure.getByTestId('ix-agreement')).toContainText('all 108 entries');
  expect(errors).toEqual([]);
});

test('a link restores the state; garbage in it shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const figure = await openFigure(page, `${PATH}?ix.s=2&ix.p=1&ix.step=4`);
  const g = convGeometry(SHAPE, [2, 2], { stride: 2, padding: 1 });
  await expect(page.getByTestId('ix-summary')).toContainText(`${g.OH} × ${g.OW} windows`);
  await expect(page.getByLabel('Stride', { exact: true })).toHaveValue('2');
  await expect(figure.locator('.narration')).toContainText('fills X_col[0][2]');

  const garbage = await openFigure(page, `${PATH}?ix.s=banana&ix.step=zzz`);
  await expect(page.getByText('Ignored stride "banana" from the link')).toBeVisible();
  await expect(page.getByText('Ignored step "zzz" from the link')).toBeVisible();
  await expect(page.getByLabel('Stride', { exact: true })).toHaveValue('1');
  await expect(garbage.locator('.narration')).toHaveText(rowNarration(0));
  expect(errors).toEqual([]);
});

test('lesson 3 has no serious or critical accessibility violations', async ({ page }) => {
  await openFigure(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 3 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-03');
  // The hydrated figure, linking i[5][3] to its pixel; and a wide X_col that must scroll in its own box.
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    const figure = await openFigure(page);
    await cellOf(figure.getByRole('grid', { name: 'i', exact: true }), 5, 3)
      .locator('button')
      .hover();
    await expect(figure.getByTestId('ix-link')).toHaveText(expectedNarration(5, 3));
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-03-figure-${suffix}.png`) });
    await openFigure(page, `${PATH}?ix.h=5&ix.w=5&ix.p=1&ix.n=2`);
    await expect(page.getByTestId('ix-summary')).toContainText('X_col: 12 × 72');
    await page
      .getByRole('group', { name: 'Index matrices', exact: true })
      .screenshot({ path: join(SCREENSHOTS, `lesson-03-figure-batch-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `the figure overflows the page by ${overflow}px at ${width}px`).toBeLessThanOrEqual(0);
  }
});
