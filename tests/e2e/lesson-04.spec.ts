import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { conv2d, tensor } from '../../lib/index.ts';
import type { ConvOptions } from '../../lib/index.ts';
import { GEMM_DEFAULTS, GEMM_PRESETS, gemmViewOf } from '../../lib/viz/gemm-view/index.ts';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';

const PATH = '/lessons/04-kernels-as-rows/';
const count = (n: number, from: number) => Array.from({ length: n }, (_, k) => from + k);

/** What the engine's conv2d gives, laid out as the GEMM view's Y `[F, N·OH·OW]` and as the maps. */
function engine(
  N: number,
  C: number,
  H: number,
  W: number,
  F: number,
  KH: number,
  KW: number,
  xs: number[],
  ws: number[],
  opts: ConvOptions = {},
) {
  const y = conv2d(tensor([N, C, H, W], xs), tensor([F, C, KH, KW], ws), null, opts);
  const [, , OH, OW] = y.shape;
  const P = OH * OW;
  const Y: string[] = [];
  for (let f = 0; f < F; f++) for (let q = 0; q < N * P; q++) Y.push(String(y.data[(Math.floor(q / P) * F + f) * P + (q % P)]));
  return { Y, maps: Array.from(y.data, String), columns: N * P };
}

const island = (page: Page) => page.locator('[data-gemm-view]');
const figure = (page: Page) => island(page).getByRole('group', { name: 'GEMM view' });
const narration = (page: Page) => figure(page).locator('.narration');
const yCells = (page: Page): Locator => island(page).locator('table[aria-label="Y"] tbody td');
const mapCells = (page: Page): Locator => island(page).locator('table[aria-label^="y["] tbody td');

/** Opens the lesson (with an optional query) and waits for the GEMM view to be live. */
async function open(page: Page, query = '') {
  await page.goto(PATH + query);
  await island(page).scrollIntoViewIfNeeded();
  await expect(figure(page)).toHaveAttribute('data-ready', '');
}

/** Presses `key` with the focus on Step forward (the transport keys work anywhere in the frame). */
async function press(page: Page, key: string, times = 1) {
  await figure(page).getByRole('button', { name: 'Step forward' }).focus();
  for (let k = 0; k < times; k++) await page.keyboard.press(key);
}

/** Jumps to the last step (every cell of Y computed) with the End key. */
async function toEnd(page: Page) {
  await press(page, 'End');
}

test('lesson 4 renders math, code and worked examples, and its view steps by keyboard and button', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\text{row}');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);
  // The code panel: the reference loops convGemmLoops, highlighted at build time, without the observer lines.
  await expect(island(page).locator('.code-panel')).toContainText('export function convGemmLoops(');
  await expect(island(page).locator('.code-panel')).not.toContainText('observe');

  // The static worked examples, computed by the engine at build time, equal conv2d's answers.
  const seedX = count(9, 1);
  const expected = {
    'two-channels': engine(1, 2, 3, 3, 1, 2, 2, [...seedX, ...seedX], [10, 11, 12, 13, 10, 11, 12, 13]),
    'two-filters': engine(1, 1, 3, 3, 2, 2, 2, seedX, count(8, 10)),
    'batch-of-two': engine(2, 1, 3, 3, 1, 2, 2, count(18, 1), [1, 2, 3, 4]),
  };
  for (const [id, e] of Object.entries(expected)) {
    const worked = page.locator(`figure[data-worked="${id}"]`);
    await expect(worked.locator('table[aria-label="Y"] tbody td')).toHaveText(e.Y);
    await expect(worked.locator('table[aria-label^="y["] tbody td')).toHaveText(e.maps);
  }
  expect(expected['two-channels'].Y).toEqual(['290', '382', '566', '658']);
  expect(expected['batch-of-two'].Y).toEqual(['37', '47', '67', '77', '127', '137', '157', '167']);

  // Keyboard: → moves one cell, End to the reshape, Home back, Space plays.
  const seed = engine(1, 1, 3, 3, 1, 2, 2, seedX, [10, 11, 12, 13]);
  await expect(narration(page)).toContainText('X_col = im2col(x) is 4×4');
  await press(page, 'ArrowRight');
  await expect(narration(page)).toHaveText('Y[0,0]: sum += W_row[0][0]·X_col[0][0] = 10·1 = 10 → 10');
  await expect(figure(page).getByTestId('loop-vars')).toHaveText('f = 0  q = 0  r = 0');
  await expect(yCells(page).nth(0)).toHaveText('');
  await press(page, 'ArrowRight', 4);
  await expect(narration(page)).toHaveText(/^out\[0,0\] = 1·10 \+ 2·11 \+ 4·12 \+ 5·13 = 145/);
  await expect(figure(page).locator('.code-panel .active-line')).toHaveText('Y.data[f * Q + q] = sum;');
  await expect(yCells(page).nth(0)).toHaveText(seed.Y[0]);
  await expect(yCells(page).nth(1)).toHaveText('');
  await press(page, 'ArrowRight', 10);
  await expect(narration(page)).toHaveText(/^out\[1,0\] = 4·10 \+ 5·11 \+ 7·12 \+ 8·13 = 283/);
  await expect(island(page).locator('.terms tfoot')).toContainText(seed.Y[2]);
  await page.keyboard.press('End');
  await expect(narration(page)).toContainText('Reshape: row 0 of Y, columns 0…3');
  await expect(yCells(page)).toHaveText(seed.Y);
  await expect(mapCells(page)).toHaveText(seed.maps);
  await page.keyboard.press('Home');
  await expect(narration(page)).toContainText('X_col = im2col(x)');
  await figure(page).getByRole('button', { name: 'Play' }).click();
  await expect(narration(page)).toContainText('Y[0,0]: sum +=');
  await figure(page).getByRole('button', { name: 'Pause' }).click();
  // Buttons.
  await press(page, 'Home');
  await island(page).getByRole('button', { name: 'Step forward' }).click();
  await expect(narration(page)).toContainText('Y[0,0]: sum +=');
  await island(page).getByRole('button', { name: 'Step back' }).click();
  await expect(narration(page)).toContainText('X_col = im2col(x)');
  expect(errors).toEqual([]);
});

test('the GEMM view shows conv2d’s numbers for the default and each preset', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await toEnd(page);
  await expect(yCells(page)).toHaveText(engine(1, 1, 3, 3, 1, 2, 2, count(9, 1), [10, 11, 12, 13]).Y);
  for (const preset of GEMM_PRESETS) {
    const s = preset.settings;
    await island(page).getByRole('button', { name: preset.label, exact: true }).click();
    await toEnd(page);
    const e = engine(s.N, s.C, s.H, s.W, s.F, s.KH, s.KW, s.x!, s.w!);
    await expect(yCells(page)).toHaveText(e.Y);
    await expect(mapCells(page)).toHaveText(e.maps);
    expect(page.url()).toContain('gm.');
  }
  // Two filters: the second row's cell is narrated with its filter.
  await island(page).getByRole('button', { name: 'Two filters', exact: true }).click();
  await press(page, 'Home');
  await press(page, 'ArrowRight', 35);
  await expect(narration(page)).toHaveText(/^filter 1: out\[1,0\] = 4·14 \+ 5·15 \+ 7·16 \+ 8·17 = 379/);
  expect(errors).toEqual([]);
});

test('stride, padding, dilation and edits follow the engine; invalid settings keep the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  const form = island(page);
  const xs = count(9, 1);
  const ws = [10, 11, 12, 13];
  for (const [label, value, opts] of [
    ['Padding', '1', { padding: 1 }],
    ['Stride', '2', { padding: 1, stride: 2 }],
    ['Dilation', '2', { padding: 1, stride: 2, dilation: 2 }],
  ] as const) {
    await form.getByLabel(label, { exact: true }).fill(value);
    await toEnd(page);
    const e = engine(1, 1, 3, 3, 1, 2, 2, xs, ws, opts);
    await expect(yCells(page)).toHaveCount(e.columns);
    await expect(yCells(page)).toHaveText(e.Y);
  }
  const last = engine(1, 1, 3, 3, 1, 2, 2, xs, ws, { padding: 1, stride: 2, dilation: 2 });

  // Invalid: a kernel that does not fit; the engine's own message shows and the picture stays.
  let message = '';
  try {
    conv2d(tensor([1, 1, 3, 3], xs), tensor([1, 1, 6, 2], count(12, 10)), null, { padding: 1, stride: 2, dilation: 2 });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).not.toBe('');
  await form.getByLabel('Kernel height', { exact: true }).fill('6');
  await expect(form.locator('.error')).toContainText(message);
  await expect(yCells(page)).toHaveText(last.Y);
  await form.getByLabel('Kernel height', { exact: true }).fill('2');
  await expect(form.locator('.error')).toBeEmpty();

  // Click an input cell and type a value.
  await form.getByLabel('Padding', { exact: true }).fill('0');
  await form.getByLabel('Stride', { exact: true }).fill('1');
  await form.getByLabel('Dilation', { exact: true }).fill('1');
  await form.getByRole('button', { name: /^x\[0, 0\] row 1, column 1: 1/ }).click();
  const cellInput = form.getByRole('textbox', { name: 'x[0, 0] row 1, column 1' });
  await cellInput.fill('-3');
  await cellInput.press('Enter');
  await toEnd(page);
  await expect(yCells(page)).toHaveText(engine(1, 1, 3, 3, 1, 2, 2, [-3, ...xs.slice(1)], ws).Y);

  // Randomize: whatever values appear, Y is conv2d of the shown input and kernel.
  await form.getByRole('button', { name: 'Randomize' }).click();
  await toEnd(page);
  const shownX = (await form.locator('table[aria-label="x[0, 0]"] tbody td').allInnerTexts()).map(Number);
  const shownW = (await form.locator('table[aria-label="w[0, 0]"] tbody td').allInnerTexts()).map(Number);
  expect(shownX).not.toEqual([-3, ...xs.slice(1)]);
  await expect(yCells(page)).toHaveText(engine(1, 1, 3, 3, 1, 2, 2, shownX, shownW).Y);
  expect(errors).toEqual([]);
});

test('the GEMM view state lives in the URL; garbage falls back with a notice', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await island(page).getByRole('button', { name: 'Batch of two', exact: true }).click();
  await press(page, 'ArrowRight', 35);
  const text = await narration(page).innerText();
  await expect(page).toHaveURL(/gm\.step=36/);
  const url = page.url();
  expect(url).toContain('gm.n=2');
  await open(page, url.slice(url.indexOf('?')));
  await expect(narration(page)).toHaveText(text);
  await expect(yCells(page).nth(6)).toHaveText('157');

  // Two filters by counting defaults, at step 4, straight from a link.
  const view = gemmViewOf({ ...GEMM_DEFAULTS, F: 2 });
  await open(page, '?gm.f=2&gm.step=4');
  await expect(narration(page)).toHaveText(view.steps[3].narration);

  await open(page, '?gm.h=banana&gm.s=0&gm.step=zz&gm.k=1,x');
  await expect(island(page).locator('.notice').first()).toBeVisible();
  await expect(island(page)).toContainText('Ignored input height "banana"');
  await expect(island(page)).toContainText('Ignored step "zz"');
  await toEnd(page);
  await expect(yCells(page)).toHaveText(['145', '191', '283', '329']);
  expect(errors).toEqual([]);
});

test('lesson 4 has no serious or critical accessibility violations', async ({ page }) => {
  await open(page, '?gm.f=2&gm.step=4');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 4 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-04');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await open(page, '?gm.c=2&gm.x=1,2,3,4,5,6,7,8,9,1,2,3,4,5,6,7,8,9&gm.k=10,11,12,13,10,11,12,13&gm.step=3');
    await island(page).screenshot({ path: join(SCREENSHOTS, `lesson-04-gemm-view-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
