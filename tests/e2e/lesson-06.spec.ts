import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { conv2d, conv2dBackward, relu, reluBackward, tensor } from '../../lib/index.ts';
import type { ConvOptions } from '../../lib/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { formatValue } from '../../lib/viz/format.ts';
import { RELU_DW_DEFAULTS, reluDwPreset } from '../../lib/viz/relu-dw.ts';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';

const PATH = '/lessons/06-gradients-of-a-conv-layer/';

/** The engine's answers, straight from lib/: Z, δ_Z = reluBackward(dy, Z), and conv2dBackward(δ_Z, x, w). */
function engine(x: number[], xShape: number[], w: number[], wShape: number[], dy: number[] | null, opts: ConvOptions = {}) {
  const xt = tensor(xShape, x);
  const wt = tensor(wShape, w);
  const z = conv2d(xt, wt, null, opts);
  const dyt = tensor(z.shape, dy ?? Array.from({ length: z.data.length }, (_, k) => k + 1));
  const delta = reluBackward(dyt, z);
  const g = conv2dBackward(delta, xt, wt, opts);
  const text = (a: Float32Array) => Array.from(a, (v) => formatValue(v));
  return { z: text(z.data), a: text(relu(z).data), delta: text(delta.data), db: text(g.db.data), dw: text(g.dw.data), outputs: z.data.length };
}

/** The engine's answers for settings as the figure reads them (sizes, values or their defaults). */
function engineOf(settings: ConvSettings) {
  const ex = buildExample(settings);
  const s = ex.settings;
  return engine(Array.from(ex.x.data), [...ex.x.shape], Array.from(ex.w.data), [...ex.w.shape], Array.from(ex.dy.data), {
    stride: s.stride, padding: s.padding, dilation: s.dilation,
  });
}

const island = (page: Page) => page.locator('[data-relu-dw]');
const figure = (page: Page) => island(page).getByRole('group', { name: 'ReLU mask and dW' });
const narration = (page: Page) => figure(page).locator('.narration');
const cells = (page: Page, prefix: string): Locator => island(page).locator(`table[aria-label^="${prefix}"] tbody td`);
const deltaCells = (page: Page) => cells(page, 'δ_Z');
const dbCells = (page: Page) => island(page).locator('table[aria-label="db"] tbody td');
const dwCells = (page: Page) => cells(page, 'dW[');

/** Opens the lesson (with an optional query) and waits for the figure to hydrate. */
async function open(page: Page, query = '') {
  await page.goto(PATH + query);
  await island(page).scrollIntoViewIfNeeded();
  await expect(page.locator('astro-island:has([data-relu-dw])')).not.toHaveAttribute('ssr');
}

/** Jumps to the last step (everything computed) with the End key. */
async function toEnd(page: Page) {
  await figure(page).focus();
  await page.keyboard.press('End');
}

/** At the last step, δ_Z, db and dW shown equal the engine's. */
async function expectEngine(page: Page, e: ReturnType<typeof engine>) {
  await toEnd(page);
  await expect(narration(page)).toContainText('equal, entry for entry');
  await expect(deltaCells(page)).toHaveCount(e.outputs);
  await expect(deltaCells(page)).toHaveText(e.delta);
  await expect(cells(page, 'Z')).toHaveText(e.z);
  await expect(dbCells(page)).toHaveText(e.db);
  await expect(dwCells(page)).toHaveText(e.dw);
}

test('lesson 6 renders math and code, and its figure steps by keyboard and button', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\text');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  // The build-time math is the engine's: Z = −47 7 / 7 7, δ_Z = 0 3.59 / 4.65 0.81.
  const seed = engine([1, 1, 1, 1, 10, 1, 1, 1, 1], [1, 1, 3, 3], [1, 1, 1, -5], [1, 1, 2, 2], [1.23, 3.59, 4.65, 0.81]);
  expect(seed.z).toEqual(['-47', '7', '7', '7']);
  expect(seed.delta).toEqual(['0', '3.59', '4.65', '0.81']);
  await expect(page.locator('[data-chain="forward"] .katex-html')).toContainText('−47');
  await expect(page.locator('[data-chain="delta"] .katex-html')).toContainText('3.59');
  await expect(page.locator('[data-chain="gradients"] .katex-html')).toContainText(seed.dw[0]);
  await expect(page.locator('article')).toContainText('dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05');

  // The code panel starts on reluBackward.
  await expect(island(page).locator('.code-panel')).toContainText('export function reluBackward(');
  await expect(island(page).locator('.code-panel .active-line')).toHaveCount(0);

  // Keyboard: → gates one cell at a time.
  await expect(narration(page)).toContainText('3 of 4 entries let the gradient through');
  await expect(deltaCells(page)).toHaveText(['', '', '', '']);
  await figure(page).focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration(page)).toHaveText('δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)');
  await expect(deltaCells(page)).toHaveText(['0', '', '', '']);
  await expect(island(page).locator('.code-panel .active-line')).toContainText('pre[k] > 0 ? g[k] : 0');
  await page.keyboard.press('ArrowRight');
  await expect(narration(page)).toHaveText('δ[0,1] = 3.59 · 1 = 3.59 (Z = 7 > 0, passes)');
  await page.keyboard.press('End');
  await expect(narration(page)).toContainText("equal, entry for entry, to the engine's conv2dBackward");
  await expect(deltaCells(page)).toHaveText(seed.delta);
  await expect(island(page).locator('.code-panel')).toContainText('export function conv2dBackward(');
  await page.keyboard.press('Home');
  await expect(narration(page)).toContainText('Forward: Z = conv2d(x, w)');
  await page.keyboard.press(' ');
  await expect(narration(page)).toContainText('δ[0,0]');
  await page.keyboard.press(' ');

  // Buttons.
  await page.keyboard.press('Home');
  await island(page).getByRole('button', { name: 'Step forward' }).click();
  await expect(narration(page)).toContainText('δ[0,0] = 1.23 · 0 = 0');
  await island(page).getByRole('button', { name: 'Step back' }).click();
  await expect(narration(page)).toContainText('Forward:');

  // Stage 2: db is the sum of δ_Z; the code panel marks the row-sum loop.
  await island(page).getByRole('button', { name: '2 · Bias gradient' }).click();
  await page.mouse.move(0, 0); // no cell under the pointer: the marks follow the step
  await expect(narration(page)).toHaveText(/^db\[0\] = 0 \+ 3\.59 \+ 4\.65 \+ 0\.81 = 9\.05/);
  await expect(dbCells(page)).toHaveText(seed.db);
  await expect(island(page).locator('.code-panel .active-line')).toHaveCount(2);

  // Stage 3: one weight at a time, the GEMM line marked.
  await island(page).getByRole('button', { name: '3 · Weight gradient' }).click();
  await page.mouse.move(0, 0);
  await expect(narration(page)).toContainText('dW = dY_row × X_colᵀ');
  await figure(page).focus();
  for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowRight');
  await expect(narration(page)).toHaveText(/^dW\[0,0,1,1\] = 0·10 \+ 3\.59·1 \+ 4\.65·1 \+ 0\.81·1 = 9\.05/);
  await expect(island(page).locator('.code-panel .active-line')).toContainText('gemmInto(F, K, Q, dyRows, false, cols, true, dw)');
  await expect(island(page).locator('.terms tfoot')).toContainText(seed.dw[3]);
  await expect(dwCells(page)).toHaveText(seed.dw);
  // The weight is outlined in the kernel, and the four pixels under it in the input.
  await expect(island(page).locator('table[aria-label="w[0, 0]"] td[data-mark="active"]')).toHaveText('-5');
  await expect(island(page).locator('table[aria-label="x[0, 0]"] td[data-mark="source"]')).toHaveText(['10', '1', '1', '1']);
  expect(errors).toEqual([]);
});

test('δ_Z, db and dW equal the engine’s for the default, overlapping, padded, dilated and strided settings', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await expectEngine(page, engineOf(RELU_DW_DEFAULTS));
  const form = island(page);
  let settings: ConvSettings = RELU_DW_DEFAULTS;
  for (const [label, key, value] of [
    ['Padding', 'padding', 1],
    ['Dilation', 'dilation', 2],
    ['Stride', 'stride', 2],
  ] as const) {
    await form.getByLabel(label, { exact: true }).fill(String(value));
    settings = { ...settings, [key]: value };
    await expectEngine(page, engineOf(settings));
  }
  for (const id of ['overlapping', 'non-overlapping', 'seed'] as const) {
    const preset = reluDwPreset(id);
    await form.getByRole('button', { name: preset.label, exact: true }).click();
    await expectEngine(page, engineOf(preset.settings));
  }
  expect(errors).toEqual([]);
});

test('edits and Randomize follow the engine; invalid settings keep the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  const form = island(page);

  // Change the kernel's −5 to 1: every Z is positive and the whole upstream gradient flows.
  await form.getByRole('button', { name: /^w\[0, 0\] row 2, column 2: -5/ }).click();
  const kernelInput = form.getByRole('textbox', { name: 'w[0, 0] row 2, column 2' });
  await kernelInput.fill('1');
  await kernelInput.press('Enter');
  await expectEngine(page, engineOf({ ...RELU_DW_DEFAULTS, w: [1, 1, 1, 1] }));
  await expect(deltaCells(page)).toHaveText(['1.23', '3.59', '4.65', '0.81']);

  // Type an upstream gradient value.
  await form.getByRole('button', { name: /^∂L\/∂A row 1, column 1: 1.23/ }).click();
  const gradInput = form.getByRole('textbox', { name: '∂L/∂A row 1, column 1' });
  await gradInput.fill('-2');
  await gradInput.press('Enter');
  const edited = engineOf({ ...RELU_DW_DEFAULTS, w: [1, 1, 1, 1], dy: [-2, 3.59, 4.65, 0.81] });
  await expectEngine(page, edited);

  // Invalid: a kernel that does not fit; the engine's own message shows and the picture stays.
  let message = '';
  try {
    conv2d(tensor([1, 1, 3, 3]), tensor([1, 1, 5, 2]), null, {});
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).not.toBe('');
  await form.getByLabel('Kernel height', { exact: true }).fill('5');
  await expect(form.locator('.error')).toContainText(message);
  await expect(deltaCells(page)).toHaveText(edited.delta);
  await expect(dwCells(page)).toHaveText(edited.dw);
  await form.getByLabel('Kernel height', { exact: true }).fill('2');
  await expect(form.locator('.error')).toBeEmpty();

  // Randomize: whatever values appear, δ_Z, db and dW are the engine's for the shown x, w and ∂L/∂A.
  await form.getByRole('button', { name: 'Randomize' }).click();
  await toEnd(page);
  const shown = async (label: string) => (await form.locator(`table[aria-label="${label}"] tbody td`).allInnerTexts()).map(Number);
  const xs = await shown('x[0, 0]');
  const ws = await shown('w[0, 0]');
  const dys = await shown('∂L/∂A');
  expect(ws).not.toEqual([1, 1, 1, 1]);
  await expectEngine(page, engine(xs, [1, 1, 3, 3], ws, [1, 1, 2, 2], dys));
  expect(errors).toEqual([]);
});

test('the figure’s state lives in the URL; garbage falls back with a notice', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await island(page).getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await figure(page).focus();
  await page.keyboard.press('End');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowLeft');
  const text = await narration(page).innerText();
  expect(text).toMatch(/^dW\[0,0,2,0\]/);
  const url = page.url();
  expect(url).toContain('rd.s=2');
  expect(url).toContain('rd.step=');
  await open(page, url.slice(url.indexOf('?')));
  await expect(narration(page)).toHaveText(text);
  await expect(island(page).getByLabel('Input height', { exact: true })).toHaveValue('5');

  // A link that changes a size only: the seed's values no longer fit, counting values replace them silently.
  await open(page, '?rd.p=1');
  await expect(island(page).locator('.notice')).toHaveCount(0);
  await expectEngine(page, engineOf({ ...RELU_DW_DEFAULTS, padding: 1 }));

  await open(page, '?rd.h=banana&rd.step=zz&rd.g=1,x');
  await expect(island(page).locator('.notice').first()).toBeVisible();
  await expect(island(page)).toContainText('Ignored input height "banana"');
  await expect(island(page)).toContainText('Ignored step "zz"');
  await expect(island(page)).toContainText('Ignored the gradient values');
  await expectEngine(page, engineOf(RELU_DW_DEFAULTS));
  expect(errors).toEqual([]);
});

test('lesson 6 has no serious or critical accessibility violations', async ({ page }) => {
  await open(page, '?rd.step=9');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 6 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-06');
  for (const [suffix, width] of [['wide', 1280], ['narrow', 375]] as const) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, query] of [['padded', '?rd.p=1&rd.step=22'], ['planes', '?rd.c=2&rd.f=2&rd.n=2&rd.step=5']] as const) {
      await open(page, query);
      await island(page).screenshot({ path: join(SCREENSHOTS, `lesson-06-relu-dw-${name}-${suffix}.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  }
});
