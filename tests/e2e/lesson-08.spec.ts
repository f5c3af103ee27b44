import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2dBackward, convGeometry, tensor } from '../../lib/index.ts';
import type { Tensor } from '../../lib/index.ts';
import { formatValue } from '../../lib/viz/format.ts';

const PATH = '/lessons/08-input-gradient-full-convolution/';
const count = (n: number, from: number) => Array.from({ length: n }, (_, k) => from + k);

interface Case {
  H: number;
  W: number;
  KH: number;
  KW: number;
  stride: number;
  padding: number;
  dilation: number;
  xs: number[];
  ws: number[];
  dys?: number[];
}

/** lib's input gradient by both methods for a single-plane example, as the texts the figure shows. */
function engineDx(c: Case) {
  const x = tensor([1, 1, c.H, c.W], c.xs);
  const w = tensor([1, 1, c.KH, c.KW], c.ws);
  const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
  const g = convGeometry(x.shape, [c.KH, c.KW], opts);
  const dy = tensor([1, 1, g.OH, g.OW], c.dys ?? count(g.OH * g.OW, 1));
  const texts = (t: Tensor) => Array.from(t.data, (v) => formatValue(v));
  return {
    geometry: g,
    dilated: texts(conv2dBackward(dy, x, w, opts, { method: 'dilated' }).dx),
    col2im: texts(conv2dBackward(dy, x, w, opts, { method: 'col2im' }).dx),
  };
}

const SEED: Case = { H: 4, W: 4, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, xs: count(16, 1), ws: [1, 2, 3, 4], dys: [2, 1, 3, 5] };

const figure = (page: Page) => page.getByRole('group', { name: 'Dilated backprop' });
const narration = (page: Page) => figure(page).locator('.narration');
const summary = (page: Page) => figure(page).locator('.summary');
const scene = (page: Page) => figure(page).locator('.scene');
const grid = (page: Page, label: string): Locator => figure(page).locator(`table[aria-label="${label}"]`);

/** Opens the lesson (with an optional query) and waits for the figure to be live. */
async function open(page: Page, query = '') {
  await page.goto(PATH + query);
  await page.locator('#dilated-backprop').scrollIntoViewIfNeeded();
  await expect(figure(page)).toHaveAttribute('data-ready', '');
}

/** Presses `key` with the focus on Step forward (the transport keys work anywhere in the frame). */
async function press(page: Page, key: string, times = 1) {
  await figure(page).getByRole('button', { name: 'Step forward' }).focus();
  for (let k = 0; k < times; k++) await page.keyboard.press(key);
}

/** The texts of a grid's cells, row by row, flattened. */
async function cellTexts(table: Locator): Promise<string[]> {
  return (await table.locator('tbody td').allInnerTexts()).map((t) => t.trim());
}

/** The comparison step's cells: the dilated method's values, col2im's, and the ✓ flags. */
async function compared(page: Page) {
  const cells = figure(page).locator('table[data-compare] td');
  const n = await cells.count();
  const out = { dilated: [] as string[], col2im: [] as string[], equal: [] as string[] };
  for (let k = 0; k < n; k++) {
    const cell = cells.nth(k);
    out.dilated.push((await cell.getAttribute('data-dilated')) ?? '');
    out.col2im.push((await cell.getAttribute('data-col2im')) ?? '');
    out.equal.push((await cell.getAttribute('data-equal')) ?? '');
  }
  return out;
}

/** Goes to the last step (the comparison) and checks it against lib's dx by both methods. */
async function expectEngineDx(page: Page, c: Case) {
  const e = engineDx(c);
  await expect(summary(page)).toContainText(`dY ${e.geometry.OH} × ${e.geometry.OW} →`);
  await press(page, 'End');
  await expect(narration(page)).toContainText(`Check: all ${c.H * c.W} cells of the dilated method's dX equal col2im's`);
  const shown = await compared(page);
  expect(shown.dilated).toEqual(e.dilated);
  expect(shown.col2im).toEqual(e.col2im);
  expect(shown.equal).toEqual(e.dilated.map(() => 'true'));
  // The last step shows the whole pipeline at once: dilate, pad, rotate, convolve, crop.
  const pipeline = figure(page).getByTestId('pipeline');
  for (const label of ['Dilated dY', 'Padded dY', 'Rotated W', 'Full convolution', 'dX'])
    await expect(pipeline.locator(`table[aria-label="${label}"]`).first()).toBeVisible();
  // One step back, the crop shows the dilated method's dX itself.
  await page.keyboard.press('ArrowLeft');
  await expect(narration(page)).toContainText('Crop:');
  expect(await cellTexts(grid(page, 'dX'))).toEqual(e.dilated);
}

test('lesson 8 renders math and code, hydrates, and shows lib’s dX for the seed example', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  const article = await page.locator('article').innerText();
  expect(article).not.toContain('\\begin{bmatrix}');
  expect(article).not.toContain('\\circledast');
  // The build-time worked example: the engine's dX appears in a rendered display.
  const e = engineDx(SEED);
  const displays = (await page.locator('.katex-display').allInnerTexts()).map((t) => t.replace(/[\s\u200b]+/g, ''));
  const columnMajor = [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((r) => e.dilated[r * 4 + c])).join('');
  expect(displays.some((t) => t.includes(columnMajor))).toBe(true);
  // Shiki: the fenced block, both themes.
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);
  await expect(page.getByText('48 of the 64 products')).toBeVisible();

  // The island: first stage, dilation, with its code line.
  await expect(narration(page)).toHaveText(
    'Dilate: stride 2, so 1 zero goes between neighbouring entries of dY: 2 × 2 → 3 × 3 (rows (OH − 1)·s + 1 = (2 − 1)·2 + 1 = 3, columns (2 − 1)·2 + 1 = 3).',
  );
  expect(await cellTexts(grid(page, 'Dilated dY'))).toEqual(['2', '0', '1', '0', '0', '0', '3', '0', '5']);
  await expect(figure(page).locator('.code-panel .active-line')).toContainText('const dilated = dilateTensor(');
  await expect(figure(page).locator('.code-panel figcaption')).toContainText('lib/ops/dilated.ts');
  await expectEngineDx(page, SEED);
  expect(await cellTexts(grid(page, 'dX'))).toEqual(['2', '4', '1', '2', '6', '8', '3', '4', '3', '6', '5', '10', '9', '12', '15', '20']);
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button walks the stages and the convolution', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await press(page, 'ArrowRight');
  await expect(narration(page)).toHaveText(
    'Pad: the dilated kernel reaches d·(K − 1) = 1·(2 − 1) = 1 ring of zeros goes around it: 3 × 3 → 5 × 5.',
  );
  await expect(grid(page, 'Padded dY').locator('td[data-padding="true"]')).toHaveCount(16);
  await page.keyboard.press('End');
  await expect(narration(page)).toContainText('Check: all 16 cells');
  await page.keyboard.press('Home');
  await expect(narration(page)).toContainText('Dilate:');
  const forward = page.getByRole('button', { name: 'Step forward' });
  await forward.click();
  await forward.click();
  await expect(narration(page)).toHaveText(
    'Rotate 180°: reverse the rows and the columns of the kernel, so W[0,0] = 1 moves to [1,1] and W[1,1] = 4 to [0,0].',
  );
  expect(await cellTexts(grid(page, 'Rotated W'))).toEqual(['4', '3', '2', '1']);
  await expect(figure(page).locator('.code-panel .active-line')).toContainText('rotateKernel180(w)');
  for (let k = 0; k < 6; k++) await forward.click();
  await expect(narration(page)).toHaveText('Convolution, cell 6 of 16: full[1,1] = 2·4 + 0·3 + 0·2 + 0·1 = 8 → dX[1,1].');
  await expect(grid(page, 'Padded dY').locator('td[data-mark="source"]')).toHaveText(['2', '0', '0', '0']);
  await expect(grid(page, 'Full convolution').locator('td[data-mark="active"]')).toHaveText('8');
  await expect(grid(page, 'Full convolution').locator('td[data-blank]')).toHaveCount(10);
  await expect(scene(page).locator('.terms tbody tr')).toHaveCount(4);
  await expect(scene(page).locator('.terms tfoot')).toContainText('8');
  await expect(figure(page).locator('.code-panel .active-line')).toContainText('const fullConv = conv2d(');
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect(narration(page)).toContainText('Convolution, cell 5 of 16: full[1,0]');
  // Space on the scrubber plays on, and pauses.
  await figure(page).getByRole('slider', { name: 'Step' }).focus();
  await page.keyboard.press(' ');
  await expect(narration(page)).toContainText('Convolution, cell 7 of 16', { timeout: 5000 });
  await page.keyboard.press(' ');
  await expect(figure(page).getByRole('button', { name: 'Play' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('stride < kernel, padding, dilation: the dX shown is lib’s; invalid settings keep the picture', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  // Overlapping windows (stride 2 < kernel 3), one click.
  await page.getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await expectEngineDx(page, { H: 5, W: 5, KH: 3, KW: 3, stride: 2, padding: 0, dilation: 1, xs: count(25, 1), ws: count(9, 10) });
  // Non-overlapping windows: the uncovered last row and column get extra zeros.
  await page.getByRole('button', { name: 'Non-overlapping windows' }).click();
  await press(page, 'Home');
  await page.keyboard.press('ArrowRight');
  await expect(narration(page)).toContainText('plus 1 more row at the bottom and 1 more column on the right');
  await expectEngineDx(page, { H: 5, W: 5, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, xs: count(25, 1), ws: count(4, 10) });

  // Back to the seed, then padding 1: the engine's sizes and dX.
  await page.getByRole('button', { name: 'Seed example' }).click();
  await page.getByLabel('Padding', { exact: true }).fill('1');
  await expect(summary(page)).toHaveText('dY 3 × 3 → dilated 5 × 5 → padded 7 × 7 → full 6 × 6 → crop → dX 4 × 4');
  await expectEngineDx(page, { ...SEED, padding: 1, dys: undefined });
  await expect(grid(page, 'Full convolution').locator('td[data-padding="true"]')).toHaveCount(20);

  // Stride 1 and dilation 2 on a 5×5 input.
  await page.getByLabel('Input height', { exact: true }).fill('5');
  await page.getByLabel('Input width', { exact: true }).fill('5');
  await page.getByLabel('Stride', { exact: true }).fill('1');
  await page.getByLabel('Dilation', { exact: true }).fill('2');
  const dilated: Case = { H: 5, W: 5, KH: 2, KW: 2, stride: 1, padding: 1, dilation: 2, xs: count(25, 1), ws: [1, 2, 3, 4] };
  await expectEngineDx(page, dilated);

  // Invalid: the engine's message inline, the last picture stays.
  const before = await cellTexts(grid(page, 'dX'));
  const said = await narration(page).innerText();
  await page.getByLabel('Kernel height', { exact: true }).fill('7');
  let message = '';
  try {
    convGeometry([1, 1, 5, 5], [7, 2], { stride: 1, padding: 1, dilation: 2 });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).not.toBe('');
  await expect(page.getByText(message)).toBeVisible();
  expect(await cellTexts(grid(page, 'dX'))).toEqual(before);
  await expect(narration(page)).toHaveText(said);
  await page.getByLabel('Kernel height', { exact: true }).fill('2');
  await expect(page.getByText('Not drawn:')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('typed values and Randomize: dX follows W and dY, never X', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  const dy = grid(page, 'dY').first();
  await dy.getByRole('button', { name: /row 1, column 1:/ }).click();
  await dy.getByRole('textbox').fill('7');
  await dy.getByRole('textbox').press('Enter');
  await expect(dy.locator('tbody td').first()).toHaveText('7');
  await expectEngineDx(page, { ...SEED, dys: [7, 1, 3, 5] });
  const withSeven = await cellTexts(grid(page, 'dX'));

  // An input value changes nothing in dX.
  const x = grid(page, 'X');
  await x.getByRole('button', { name: /row 2, column 3:/ }).click();
  await x.getByRole('textbox').fill('-40');
  await x.getByRole('textbox').press('Enter');
  await expect(x.locator('tbody tr').nth(1).locator('td').nth(2)).toHaveText('-40');
  expect(await cellTexts(grid(page, 'dX'))).toEqual(withSeven);

  await page.getByRole('button', { name: 'Randomize' }).click();
  const xs = (await cellTexts(grid(page, 'X'))).map(Number);
  const ws = (await cellTexts(grid(page, 'W').first())).map(Number);
  const dys = (await cellTexts(grid(page, 'dY').first())).map(Number);
  expect(dys).not.toEqual([7, 1, 3, 5]);
  await expectEngineDx(page, { ...SEED, xs, ws, dys });
  expect(errors).toEqual([]);
});

test('the URL keeps the state; a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await page.getByLabel('Padding', { exact: true }).fill('1');
  await press(page, 'ArrowRight', 9);
  await expect(page).toHaveURL(/dl\.p=1/);
  await expect(page).toHaveURL(/dl\.step=10/);
  const said = await narration(page).innerText();
  expect(said).toContain('Convolution, cell 7 of 36');
  const url = page.url();

  await open(page, url.slice(url.indexOf('?')));
  await expect(narration(page)).toHaveText(said);
  await expect(page.getByLabel('Padding', { exact: true })).toHaveValue('1');
  await expect(summary(page)).toContainText('full 6 × 6');
  await expect(page.getByRole('note')).toHaveCount(0);

  await open(page, '?dl.s=zero&dl.g=oops&dl.step=99');
  await expect(page.getByRole('note').first()).toContainText('Ignored stride "zero"');
  await expect(page.getByRole('note')).toHaveCount(3);
  await expect(narration(page)).toContainText('Dilate: stride 2');
  await expect(page.getByLabel('Stride', { exact: true })).toHaveValue('2');
  expect(errors).toEqual([]);
});

test('each stage has a short transition, none under prefers-reduced-motion', async ({ page }) => {
  const animationOf = (page: Page) =>
    grid(page, 'Rotated W')
      .locator('tbody')
      .evaluate((el) => getComputedStyle(el).animationName);
  await open(page, '?dl.step=3');
  await expect(narration(page)).toContainText('Rotate 180°');
  expect(await animationOf(page)).not.toBe('none');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await open(page, '?dl.step=3');
  await expect(narration(page)).toContainText('Rotate 180°');
  expect(await animationOf(page)).toBe('none');
});

test('lesson 8 has no serious or critical accessibility violations', async ({ page }) => {
  await open(page, '?dl.step=9');
  await expectNoSeriousA11yViolations(page, `${PATH} (convolution step)`);
  await press(page, 'End');
  await expect(figure(page).getByTestId('pipeline')).toBeVisible();
  await expectNoSeriousA11yViolations(page, `${PATH} (comparison)`);
});

test('lesson 8 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-08');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, query] of [
      ['conv', '?dl.p=1&dl.step=12'],
      ['compare', '?dl.s=1&dl.kh=3&dl.kw=3&dl.k=1,0,-1,2,0,-2,1,0,-1&dl.step=21'],
    ] as const) {
      await open(page, query);
      await expect(narration(page)).not.toBeEmpty();
      await expect(page.getByRole('note')).toHaveCount(0);
      await figure(page).screenshot({ path: join(SCREENSHOTS, `lesson-08-figure-${name}-${suffix}.png`), animations: 'disabled' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  }
});
