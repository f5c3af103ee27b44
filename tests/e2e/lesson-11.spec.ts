import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2dBackward, conv2dTranspose, tensor } from '../../lib/index.ts';

/**
 * Lesson 11 (transposed convolution): the lesson's math and code, and its figure on the figure
 * frame — stamps filling the output in as they run, the overlap map the presets promise, the last
 * step's comparison, edits and the link. The frame's own checks (transport on screen, keyboard,
 * early click, clean links, axe per figure) are in figure-frame.spec.ts.
 */
const PATH = '/lessons/11-transposed-convolution/';

async function open(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Transposed convolution', exact: true });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return {
    figure,
    output: figure.locator('.matrix[data-role="output"]').first(),
    overlap: figure
      .getByRole('grid', { name: 'Overlap: taps reaching each output pixel' })
      .or(figure.getByRole('table', { name: 'Overlap: taps reaching each output pixel' })),
    narration: figure.locator('.narration'),
    vars: figure.getByTestId('loop-vars'),
    forward: figure.getByRole('button', { name: 'Step forward' }),
  };
}

/** A grid's cells row by row: numbers, or null for a blank (not yet reached) cell. */
async function cells(grid: Locator): Promise<(number | null)[][]> {
  return grid
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((tr) =>
        Array.from(tr.querySelectorAll('td')).map((td) => (td.hasAttribute('data-blank') ? null : Number((td.textContent ?? '').trim()))),
      ),
    );
}

/** Steps to the end with End (the frame's key) and waits for the comparison. */
async function toEnd(figure: Locator): Promise<void> {
  await figure.getByRole('button', { name: 'Step forward' }).focus();
  await figure.page().keyboard.press('End');
  await expect(figure.getByTestId('transpose-compare')).toBeVisible();
}

test('lesson 11 renders its math and code and is linked from lesson 10 and the home page', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  const text = await page.locator('article').innerText();
  expect(text).not.toMatch(/\\frac|\\text\{/);
  await expect(page.locator('article pre.astro-code').first()).toContainText('conv2dTranspose');
  await page.goto('/lessons/10-speed-in-your-browser/');
  await expect(page.locator(`a[href="${PATH}"]:visible`).first()).toBeVisible();
  await page.goto('/');
  await expect(page.locator(`a[href="${PATH}"]:visible`).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('each step stamps one input pixel: outputs fill in as stamps reach them, the code follows the loop', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await open(page);
  // The default: a 3×3 input 1…9 and a 3×3 kernel of ones at stride 2 → 7×7.
  const x = tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = tensor([1, 1, 3, 3], new Array(9).fill(1));
  const y = conv2dTranspose(x, w, null, { stride: 2 });
  let grid = await cells(f.output);
  expect(grid).toHaveLength(7);
  // Step 1 computes pixel (0, 0)'s stamp, 1·w: nothing is on the output yet.
  expect(grid.flat().every((v) => v === null)).toBe(true);
  await expect(f.vars).toHaveText('n = 0  i = 0  j = 0');
  await expect(f.narration).toHaveText('x(0, 0) = 1: its stamp is 1·w, one column of W_rowᵀ·X_row.');
  await expect(f.figure.locator('.code-panel .active-line')).toHaveText(/const value = Math\.fround\(sum\);/);
  await expect(
    f.figure.getByRole('grid', { name: /^Stamp of x\(0, 0\)/ }).or(f.figure.getByRole('table', { name: /^Stamp of x\(0, 0\)/ })),
  ).toBeVisible();
  // Step 2 adds it: rows 0–2, columns 0–2 hold 1, the rest is still blank.
  await f.forward.click();
  await expect(f.vars).toHaveText('n = 0  i = 0  j = 0  oh = 0  ow = 0');
  await expect(f.figure.locator('.code-panel .active-line')).toHaveText(/y\.data\[k\] \+= value;/);
  grid = await cells(f.output);
  expect(grid[0].slice(0, 3)).toEqual([1, 1, 1]);
  expect(grid[0][3]).toBeNull();
  expect(grid[6][6]).toBeNull();
  // Steps 3 and 4: pixel (0, 1) = 2.
  await f.forward.click();
  await f.forward.click();
  await expect(f.vars).toHaveText('n = 0  i = 0  j = 1  oh = 0  ow = 2');
  grid = await cells(f.output);
  // Pixel (0, 1) = 2 lands at corner (0, 2): column 2 is where the two stamps overlap, 1 + 2 = 3.
  expect(grid[0].slice(0, 6)).toEqual([1, 1, 3, 2, 2, null]);
  await toEnd(f.figure);
  grid = await cells(f.output);
  const [, , OH, OW] = y.shape;
  for (let r = 0; r < OH; r++) for (let c = 0; c < OW; c++) expect(grid[r][c]).toBeCloseTo(y.data[r * OW + c], 3);
  await expect(f.figure.getByTestId('transpose-compare')).toContainText(
    '49 of 49 output cells agree with the zero-insertion method and with lesson 7’s input gradient',
  );
  // Reset clears the output again.
  await f.figure.getByRole('button', { name: 'Reset' }).click();
  expect((await cells(f.output))[6][6]).toBeNull();
  expect(errors).toEqual([]);
});

test('the presets give the overlap maps the lesson describes', async ({ page }) => {
  const f = await open(page);
  await f.figure.getByRole('button', { name: 'checkerboard (k3 s2)' }).click();
  await toEnd(f.figure);
  const board = await cells(f.overlap);
  expect(board).toHaveLength(9);
  expect(new Set(board.flat())).toEqual(new Set([1, 2, 4]));
  await f.figure.getByRole('button', { name: 'upsample ×2 (k4 s2 p1)' }).click();
  await toEnd(f.figure);
  const up = await cells(f.overlap);
  expect(up).toHaveLength(6);
  expect(new Set(up.slice(1, -1).flatMap((row) => row.slice(1, -1)))).toEqual(new Set([4]));
  await f.figure.getByRole('button', { name: 'the gradient of lesson 7' }).click();
  await toEnd(f.figure);
  // Lesson 7's default: dY = 1…4 through the seed kernel 10…13, computed here by conv2dBackward.
  const { dx } = conv2dBackward(tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 3, 3]), tensor([1, 1, 2, 2], [10, 11, 12, 13]));
  expect((await cells(f.output)).flat()).toEqual(Array.from(dx.data));
});

test('an edited input value and a shape change survive a reload through the link', async ({ page }) => {
  const errors = watchErrors(page);
  const f = await open(page);
  await f.figure.getByLabel('Padding', { exact: true }).fill('1');
  const input = f.figure.locator('.matrix[data-role="input"]').first();
  await input.locator('[data-cell="0,0"]').click();
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/tc\.x=5%2C2%2C3|tc\.x=5,2,3/);
  await expect(page).toHaveURL(/tc\.p=1/);
  const again = await open(page, page.url());
  expect((await cells(again.figure.locator('.matrix[data-role="input"]').first()))[0][0]).toBe(5);
  // Padding 1 crops a ring: (3 − 1)·2 − 2 + 2 + 1 = 5.
  expect(await cells(again.output)).toHaveLength(5);
  await expect(again.figure.getByRole('note')).toHaveCount(0);
  // An impossible setting shows the engine's message and keeps the picture.
  await again.figure.getByLabel('Output padding', { exact: true }).fill('2');
  await expect(again.figure.getByRole('status').filter({ hasText: 'Not drawn:' })).toContainText(
    'outputPadding must be an integer from 0 to 1',
  );
  expect(await cells(again.output)).toHaveLength(5);
  expect(errors).toEqual([]);
});

test('lesson 11 has no serious or critical accessibility violations, at its last step too', async ({ page }) => {
  const f = await open(page);
  await expectNoSeriousA11yViolations(page, PATH);
  await toEnd(f.figure);
  await expectNoSeriousA11yViolations(page, `${PATH} (compare step)`);
});

test('lesson 11 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-11');
});
