import { test, expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { conv2d, conv2dBackward, relu, reluBackward, tensor } from '../../lib/index.ts';
import type { ConvOptions } from '../../lib/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { formatValue } from '../../lib/viz/format.ts';
import { RELU_DW_DEFAULTS, reluDwPreset } from '../../lib/viz/relu-dw/index.ts';
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
  return {
    z: text(z.data),
    a: text(relu(z).data),
    delta: text(delta.data),
    db: text(g.db.data),
    dw: text(g.dw.data),
    outputs: z.data.length,
  };
}

/** The engine's answers for settings as the figure reads them (sizes, values or their defaults). */
function engineOf(settings: ConvSettings) {
  const ex = buildExample(settings);
  const s = ex.settings;
  return engine(Array.from(ex.x.data), [...ex.x.shape], Array.from(ex.w.data), [...ex.w.shape], Array.from(ex.dy.data), {
    stride: s.stride,
    padding: s.padding,
    dilation: s.dilation,
  });
}

const figure = (page: Page) => page.getByRole('group', { name: 'ReLU mask and dW', exact: true });
const narration = (page: Page) => figure(page).locator('.narration');
const count = (page: Page) => figure(page).getByTestId('step-count');
const cells = (page: Page, prefix: string): Locator => figure(page).locator(`table[aria-label^="${prefix}"] tbody td`);
const deltaCells = (page: Page) => cells(page, 'δ_Z');
const dbCells = (page: Page) => figure(page).locator('table[aria-label="db"] tbody td');
const dwCells = (page: Page) => cells(page, 'dW[');
const activeLine = (page: Page) => figure(page).locator('.code-panel .active-line');

/** Opens the lesson (with an optional query) and waits for the figure to be live. */
async function open(page: Page, query = '') {
  await page.goto(PATH + query);
  await figure(page).scrollIntoViewIfNeeded();
  await expect(figure(page)).toHaveAttribute('data-ready', '');
}

/** Presses `key` with the focus on Step forward (the transport keys work anywhere in the frame). */
async function press(page: Page, key: string, times = 1) {
  await figure(page).getByRole('button', { name: 'Step forward' }).focus();
  for (let k = 0; k < times; k++) await page.keyboard.press(key);
}

/** At the last step, Z, δ_Z, db and dW shown equal the engine's. */
async function expectEngine(page: Page, e: ReturnType<typeof engine>) {
  await press(page, 'End');
  await expect(narration(page)).toContainText('equal, entry for entry');
  await expect(deltaCells(page)).toHaveCount(e.outputs);
  await expect(deltaCells(page)).toHaveText(e.delta);
  await expect(cells(page, 'Z')).toHaveText(e.z);
  await expect(dbCells(page)).toHaveText(e.db);
  await expect(dwCells(page)).toHaveText(e.dw);
}

test('lesson 6 renders math and code; its figure replays the reference loops step by step, revealing each result when it is stored', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await open(page);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\text');

  // The build-time math is the engine's: Z = −47 7 / 7 7, δ_Z = 0 3.59 / 4.65 0.81.
  const seed = engine([1, 1, 1, 1, 10, 1, 1, 1, 1], [1, 1, 3, 3], [1, 1, 1, -5], [1, 1, 2, 2], [1.23, 3.59, 4.65, 0.81]);
  expect(seed.z).toEqual(['-47', '7', '7', '7']);
  expect(seed.delta).toEqual(['0', '3.59', '4.65', '0.81']);
  await expect(page.locator('[data-chain="forward"] .katex-html')).toContainText('−47');
  await expect(page.locator('[data-chain="delta"] .katex-html')).toContainText('3.59');
  await expect(page.locator('[data-chain="gradients"] .katex-html')).toContainText(seed.dw[0]);
  await expect(page.locator('article')).toContainText('δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)');
  await expect(page.locator('article')).toContainText('dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05');

  // Step 1: the forward picture; the code panel shows reluBackwardLoops with no line marked; nothing computed yet.
  await expect(figure(page).locator('.code-panel')).toContainText('export function reluBackwardLoops(');
  await expect(figure(page).locator('.code-panel')).not.toContainText('observe');
  await expect(activeLine(page)).toHaveCount(0);
  await expect(narration(page)).toContainText('3 of 4 entries let the gradient through');
  await expect(deltaCells(page)).toHaveText(['', '', '', '']);
  await expect(figure(page).locator('td[data-blank]')).toHaveCount(4 + 4 + 1 + 4 + 4); // δ_Z, dY_row, db, dW_row, dW

  // Keyboard: → gates one cell at a time, the gate line marked with the loop variables.
  await press(page, 'ArrowRight');
  await expect(narration(page)).toHaveText('δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)');
  await expect(deltaCells(page)).toHaveText(['0', '', '', '']);
  await expect(activeLine(page)).toContainText('dZ.data[k] = passes ? dA.data[k] : 0;');
  await expect(figure(page).getByTestId('loop-vars')).toHaveText('n = 0  f = 0  oh = 0  ow = 0');
  await page.keyboard.press('ArrowRight');
  await expect(narration(page)).toHaveText('δ[0,1] = 3.59 · 1 = 3.59 (Z = 7 > 0, passes)');
  await expect(figure(page).getByTestId('loop-vars')).toHaveText('n = 0  f = 0  oh = 0  ow = 1');

  // Hover only highlights: the pointed Z cell is outlined, the step and what is filled stay.
  await figure(page).locator('table[aria-label="Z"] [data-cell="1,1"]').hover();
  await expect(figure(page).locator('table[aria-label="Z"] td[data-mark="active"]')).toHaveText('7');
  await expect(count(page)).toHaveText('3 / 32');
  await expect(deltaCells(page)).toHaveText(['0', '3.59', '', '']);
  await page.mouse.move(0, 0);

  // Buttons.
  await figure(page).getByRole('button', { name: 'Step back' }).click();
  await expect(count(page)).toHaveText('2 / 32');
  await figure(page).getByRole('button', { name: 'Step forward' }).click();
  await expect(count(page)).toHaveText('3 / 32');

  // Stage 2: δ_Z copied into dY_row, then its row summed term by term into db.
  await figure(page).getByRole('button', { name: '2 · Bias gradient' }).click();
  await page.mouse.move(0, 0);
  await expect(narration(page)).toContainText('dY_row: δ_Z → row 0, columns 0…3');
  await expect(figure(page).locator('.code-panel')).toContainText('export function convParamGradientLoops(');
  await expect(deltaCells(page)).toHaveText(seed.delta);
  await expect(dbCells(page)).toHaveAttribute('data-blank', '');
  await press(page, 'ArrowRight', 5);
  await expect(narration(page)).toHaveText(/^db\[0\] = 0 \+ 3\.59 \+ 4\.65 \+ 0\.81 = 9\.05/);
  await expect(activeLine(page)).toContainText('db.data[f] = sum;');
  await expect(dbCells(page)).toHaveText(seed.db);

  // Stage 3: one term per step; the weight is stored with its whole dot product.
  await figure(page).getByRole('button', { name: '3 · Weight gradient' }).click();
  await page.mouse.move(0, 0);
  await expect(narration(page)).toHaveText('dW[0,0,0,0]: sum += δ·x = 0·1 = 0 → 0 (window 0,0)');
  await expect(activeLine(page)).toContainText('sum += a * b;');
  await expect(figure(page).getByTestId('loop-vars')).toHaveText('f = 0  r = 0  q = 0');
  await expect(dwCells(page).first()).toHaveAttribute('data-blank', '');
  await press(page, 'End');
  await press(page, 'ArrowLeft');
  await expect(narration(page)).toHaveText(/^dW\[0,0,1,1\] = 0·10 \+ 3\.59·1 \+ 4\.65·1 \+ 0\.81·1 = 9\.05/);
  await expect(activeLine(page)).toContainText('dW.data[f * R + r] = sum;');
  await expect(figure(page).getByTestId('loop-vars')).toHaveText('f = 0  r = 3');
  await expect(figure(page).locator('.terms tfoot')).toContainText(seed.dw[3]);
  await expect(dwCells(page)).toHaveText(seed.dw);
  // The weight is outlined in the kernel, and the four pixels under it in the input.
  await expect(figure(page).locator('table[aria-label="w[0, 0]"] td[data-mark="active"]')).toHaveText('-5');
  await expect(figure(page).locator('table[aria-label="x[0, 0]"] td[data-mark="source"]')).toHaveText(['10', '1', '1', '1']);
  await press(page, 'ArrowRight');
  await expect(narration(page)).toContainText("δ_Z, db and dW equal, entry for entry, the engine's reluBackward and conv2dBackward");

  // Reset clears every result.
  await figure(page).getByRole('button', { name: 'Reset' }).click();
  await expect(count(page)).toHaveText('1 / 32');
  await expect(deltaCells(page)).toHaveText(['', '', '', '']);
  await expect(figure(page).locator('td[data-blank]')).toHaveCount(17);
  expect(errors).toEqual([]);
});

test('δ_Z, db and dW equal the engine’s for the default, overlapping, padded, dilated and strided settings', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await expectEngine(page, engineOf(RELU_DW_DEFAULTS));
  let settings: ConvSettings = RELU_DW_DEFAULTS;
  for (const [label, key, value] of [
    ['Padding', 'padding', 1],
    ['Dilation', 'dilation', 2],
    ['Stride', 'stride', 2],
  ] as const) {
    await figure(page).getByLabel(label, { exact: true }).fill(String(value));
    settings = { ...settings, [key]: value };
    await expectEngine(page, engineOf(settings));
  }
  for (const id of ['overlapping', 'non-overlapping', 'seed'] as const) {
    const preset = reluDwPreset(id);
    await figure(page).getByRole('button', { name: preset.label, exact: true }).click();
    await expectEngine(page, engineOf(preset.settings));
  }
  expect(errors).toEqual([]);
});

test('edits and Randomize follow the engine; invalid or too-large settings keep the last picture with the message inline', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await open(page);
  const form = figure(page);

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

  // Too large to draw: 12×12 is drawn; three channels on top exceed the draw budget, the 12×12 picture stays.
  await form.getByLabel('Input height', { exact: true }).fill('12');
  await form.getByLabel('Input width', { exact: true }).fill('12');
  await expect(deltaCells(page)).toHaveCount(121);
  await form.getByLabel('Channels', { exact: true }).fill('3');
  await expect(form.locator('.error')).toContainText('draws at most 2,048');
  await expect(deltaCells(page)).toHaveCount(121);
  await form.getByRole('button', { name: 'Seed ReLU example', exact: true }).click();
  await expect(form.locator('.error')).toBeEmpty();

  // Randomize: whatever values appear, δ_Z, db and dW are the engine's for the shown x, w and ∂L/∂A.
  await form.getByRole('button', { name: 'Randomize' }).click();
  await press(page, 'End');
  const shown = async (label: string) => (await form.locator(`table[aria-label="${label}"] tbody td`).allInnerTexts()).map(Number);
  const xs = await shown('x[0, 0]');
  const ws = await shown('w[0, 0]');
  const dys = await shown('∂L/∂A');
  expect(ws).not.toEqual([1, 1, 1, -5]);
  await expectEngine(page, engine(xs, [1, 1, 3, 3], ws, [1, 1, 2, 2], dys));
  expect(errors).toEqual([]);
});

test('the figure’s state lives in the `rd.` URL; old links still open; garbage falls back with a notice', async ({ page }) => {
  const errors = watchErrors(page);
  await open(page);
  await figure(page).getByRole('button', { name: 'Overlapping windows', exact: true }).click();
  await press(page, 'End');
  await press(page, 'ArrowLeft', 3);
  const text = await narration(page).innerText();
  expect(text).toMatch(/^dW\[0,0,2,2\]: sum \+= /);
  const url = page.url();
  expect(url).toContain('rd.s=2');
  expect(url).toContain('rd.step=');
  await open(page, url.slice(url.indexOf('?')));
  await expect(narration(page)).toHaveText(text);
  await expect(figure(page).getByLabel('Input height', { exact: true })).toHaveValue('5');
  await expect(figure(page).getByRole('note')).toHaveCount(0);

  // A link that changes a size only: the seed's values no longer fit, counting values replace them silently.
  await open(page, '?rd.p=1');
  await expect(figure(page).getByRole('note')).toHaveCount(0);
  await expectEngine(page, engineOf({ ...RELU_DW_DEFAULTS, padding: 1 }));

  await open(page, '?rd.h=banana&rd.step=zz&rd.g=1,x');
  await expect(figure(page).getByRole('note').first()).toBeVisible();
  await expect(figure(page)).toContainText('Ignored input height "banana"');
  await expect(figure(page)).toContainText('Ignored step "zz"');
  await expect(figure(page)).toContainText('Ignored the gradient values');
  await expectEngine(page, engineOf(RELU_DW_DEFAULTS));
  expect(errors).toEqual([]);
});

test('lesson 6 has no serious or critical accessibility violations', async ({ page }) => {
  await open(page, '?rd.step=14');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 6 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-06');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, query] of [
      ['padded', '?rd.p=1&rd.step=40'],
      ['planes', '?rd.c=2&rd.f=2&rd.n=2&rd.step=5'],
    ] as const) {
      await open(page, query);
      await figure(page).screenshot({ path: join(SCREENSHOTS, `lesson-06-relu-dw-${name}-${suffix}.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
  }
});
