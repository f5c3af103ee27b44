import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { SCREENSHOTS, expectNoSeriousA11yViolations, screenshotBothWidths, watchErrors } from './helpers.ts';
import { conv2d, convGeometry, tensor } from '../../lib/index.ts';
import { IMAGE_KERNELS, MNIST_DIGIT } from '../../lib/viz/conv-playground/index.ts';
import { grayLevels, maxAbs } from '../../lib/viz/trainer/gray.ts';

const PATH = '/lessons/01-convolution-by-hand/';

/** Scrolls the playground into view and waits until its island is live. */
async function playground(page: Page, path = PATH) {
  await page.goto(path);
  const figure = page.getByRole('group', { name: 'Convolution playground' });
  await figure.scrollIntoViewIfNeeded();
  await expect(figure).toHaveAttribute('data-ready', '');
  return {
    figure,
    narration: figure.locator('.narration'),
    output: figure.locator('.matrix[data-role="output"]'),
    input: figure.locator('.matrix[data-role="input"]'),
    kernel: figure.locator('.matrix[data-role="kernel"]').first(),
    vars: figure.getByTestId('loop-vars'),
  };
}

/** The numbers in a grid's cells, row by row. */
async function gridValues(grid: ReturnType<Page['locator']>): Promise<number[][]> {
  const rows = grid.locator('tbody tr');
  const out: number[][] = [];
  for (let r = 0; r < (await rows.count()); r++) {
    const texts = await rows.nth(r).locator('td').allInnerTexts();
    out.push(texts.map((t) => Number(t.trim())));
  }
  return out;
}

test('lesson 1 renders math and code, and the output fills in as the loops compute it', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PATH);
  await expect(page.locator('.katex-display .katex-html').first()).toBeVisible();
  expect(await page.locator('article').innerText()).not.toContain('\\left\\lfloor');
  const code = page.locator('pre.astro-code').first();
  await expect(code).toBeVisible();
  expect(await code.locator('span[class*="sk-dark-"]').count()).toBeGreaterThan(0);

  const { output, figure, vars } = await playground(page);
  // Nothing is computed before the first store: every output cell is blank.
  await expect(output.locator('td')).toHaveText(['', '', '', '']);
  await expect(output.locator('td[data-blank]')).toHaveCount(4);
  // The code panel shows the reference loops with the multiply-add marked, and the loop variables.
  await expect(figure.locator('.code-panel .active-line')).toHaveText('sum += wv * xv;');
  await expect(figure.locator('.code-panel')).not.toContainText('observe');
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 0  c = 0  kh = 0  kw = 0');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 0  c = 0  kh = 0  kw = 1');
  await page.keyboard.press('End');
  await expect(output.locator('td')).toHaveText(['145', '191', '283', '329']);
  await expect(figure.locator('.code-panel .active-line')).toContainText('= sum;');
  await figure.getByRole('button', { name: 'Reset' }).click();
  await expect(output.locator('td[data-blank]')).toHaveCount(4);
  expect(errors).toEqual([]);
});

test('stepping by keyboard and by button narrates each multiply-add and each stored sum', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, narration, output, input } = await playground(page);
  const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
  await expect(narration).toHaveText('out[0,0]: sum += x[0,0]·w[0,0] = 1·10 = 10 → 10');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  await forward.focus();
  await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText('out[0,0]: sum += x[0,1]·w[0,1] = 2·11 = 22 → 32');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
  await expect(narration).toHaveText(`out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = ${y.data[0]}`);
  await expect(output.locator('td').first()).toHaveText(String(y.data[0]));
  await page.keyboard.press('End');
  await expect(narration).toHaveText(`out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = ${y.data[3]}`);
  await page.keyboard.press('Home');
  await expect(narration).toContainText('out[0,0]: sum +=');
  for (let k = 0; k < 13; k++) await forward.click();
  // Step 14: the fourth multiply-add of out[1,0]; its window's pixels 4, 5, 7 read, 8 being read.
  await expect(narration).toHaveText('out[1,0]: sum += x[2,1]·w[1,1] = 8·13 = 104 → 283');
  await expect(input.locator('td[data-mark="source"]')).toHaveText(['4', '5', '7']);
  await expect(input.locator('td[data-mark="active"]')).toHaveText('8');
  await expect(output.locator('td[data-mark="active"]')).toHaveText('');
  // Space on the scrubber plays and pauses; the scrubber's own keys step.
  const scrubber = figure.getByRole('slider', { name: 'Step' });
  await scrubber.focus();
  await page.keyboard.press('Home');
  await expect(figure.getByTestId('step-count')).toHaveText('1 / 20');
  await page.keyboard.press(' ');
  await expect(figure.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(figure.getByTestId('step-count')).not.toHaveText('1 / 20');
  await page.keyboard.press(' ');
  await expect(figure.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('stride, padding and dilation give the engine output size; edits and Randomize match conv2d', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, input, kernel } = await playground(page);
  const expectSize = async (H: number, K: number, opts: { stride: number; padding: number; dilation: number }) => {
    const g = convGeometry([1, 1, H, H], [K, K], opts);
    await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
    await expect(output.locator('tbody tr')).toHaveCount(g.OH);
    await expect(output.locator('tbody tr').first().locator('td')).toHaveCount(g.OW);
  };
  await figure.getByLabel('Input height').fill('6');
  await figure.getByLabel('Input width').fill('6');
  await expectSize(6, 2, { stride: 1, padding: 0, dilation: 1 });
  await figure.getByLabel('Stride').fill('2');
  await expectSize(6, 2, { stride: 2, padding: 0, dilation: 1 });
  await figure.getByLabel('Padding').fill('1');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 1 });
  await figure.getByLabel('Dilation').fill('3');
  await expectSize(6, 2, { stride: 2, padding: 1, dilation: 3 });
  await expect(input.locator('td[data-padding="true"]').first()).toBeVisible();
  await expect(figure.getByText('Dilated footprint 4 × 4')).toBeVisible();

  await figure.getByRole('button', { name: 'Randomize' }).click();
  const check = async () => {
    await figure.getByRole('button', { name: 'Step forward' }).focus();
    await page.keyboard.press('End');
    const padded = await gridValues(input);
    const w = await gridValues(kernel);
    const x = padded.slice(1, 7).map((row) => row.slice(1, 7));
    const y = conv2d(tensor([1, 1, 6, 6], x.flat()), tensor([1, 1, 2, 2], w.flat()), null, { stride: 2, padding: 1, dilation: 3 });
    expect((await gridValues(output)).flat()).toEqual(Array.from(y.data));
  };
  await check();

  // Click an input pixel and type a value; focus a kernel cell and just start typing.
  await input.getByRole('button', { name: /row 2, column 2:/ }).click();
  await input.getByRole('textbox').fill('42');
  await input.getByRole('textbox').press('Enter');
  await expect(input.locator('tbody tr').nth(1).locator('td').nth(1)).toHaveText('42');
  await check();
  await kernel.getByRole('button', { name: /row 1, column 1:/ }).focus();
  await page.keyboard.type('-3');
  await page.keyboard.press('Enter');
  await expect(kernel.locator('td').first()).toHaveText('-3');
  await check();
  // Escape cancels an edit.
  await kernel.getByRole('button', { name: /row 1, column 1:/ }).focus();
  await page.keyboard.type('7');
  await page.keyboard.press('Escape');
  await expect(kernel.locator('td').first()).toHaveText('-3');
  expect(errors).toEqual([]);
});

test('an invalid setting shows the engine message and keeps the last picture', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output } = await playground(page);
  await figure.getByLabel('Kernel height').fill('5');
  let message = '';
  try {
    convGeometry([1, 1, 3, 3], [5, 2], {});
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toBe('kernel 5×2 does not fit the padded input 3×3');
  await expect(figure.getByRole('status')).toContainText(message);
  await expect(output.locator('caption')).toHaveText('Output 2 × 2');
  await figure.getByLabel('Padding').fill('1');
  await expect(figure.getByText('Not drawn:')).toHaveCount(0);
  const g = convGeometry([1, 1, 3, 3], [5, 2], { padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  expect(errors).toEqual([]);
});

test('the URL restores the state, and a garbage query shows a notice', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, narration } = await playground(page, `${PATH}?cv.h=4&cv.w=4&cv.p=1&cv.s=2&cv.step=5`);
  const g = convGeometry([1, 1, 4, 4], [2, 2], { stride: 2, padding: 1 });
  await expect(output.locator('caption')).toHaveText(`Output ${g.OH} × ${g.OW}`);
  // Step 5 stores out[0,0]: three of its taps fell on the padding, one read x[0,0] = 1.
  await expect(narration).toHaveText('out[0,0] = 1·13 = 13');
  await expect(figure.getByLabel('Stride')).toHaveValue('2');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(page).toHaveURL(/cv\.step=6/);

  const again = await playground(page, `${PATH}?cv.s=banana&cv.step=%F0%9F%A6%84&cv.k=1,x`);
  await expect(again.figure.getByRole('note').first()).toContainText('Ignored stride "banana"');
  await expect(again.output.locator('caption')).toHaveText('Output 2 × 2');
  expect(errors).toEqual([]);
});

test('Your turn: the reader types the next output value, the figure checks it against conv2d, then shows the step', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, output, narration } = await playground(page);
  const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
  const turn = figure.getByTestId('your-turn');
  const toggle = turn.getByRole('button', { name: 'Your turn' });
  const count = figure.getByTestId('step-count');
  const verdict = turn.locator('.verdict');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(verdict).toHaveAttribute('aria-live', 'polite');
  const forward = figure.getByRole('button', { name: 'Step forward' });
  // The taps and the store of out[0,0] step as usual; the first tap of out[0,1] asks first.
  for (let k = 0; k < 5; k++) await forward.click();
  await expect(count).toHaveText('5 / 20');
  await expect(turn.locator('.prompt')).toHaveText('What will out[0,1] be? (4 products of window and kernel, added)');
  const answer = turn.getByRole('textbox', { name: 'out[0,1] =' });
  await expect(answer).toBeFocused();
  await expect(output.locator('td').nth(1)).toHaveText('');
  await expectNoSeriousA11yViolations(page, `${PATH} (Your turn)`);
  // Pressing Step forward again keeps asking; text that is not a number reveals nothing.
  await forward.click();
  await expect(count).toHaveText('5 / 20');
  await answer.fill('lots');
  await answer.press('Enter');
  await expect(verdict).toHaveAttribute('data-status', 'invalid');
  await expect(verdict).not.toContainText(String(y.data[1]));
  await expect(count).toHaveText('5 / 20');
  // A wrong answer is corrected with the engine's value, then the step is shown.
  await answer.fill(String(y.data[1] - 1));
  await answer.press('Enter');
  await expect(verdict).toHaveAttribute('data-status', 'wrong');
  await expect(verdict).toHaveText(`Not quite: you typed ${y.data[1] - 1}, but out[0,1] = 2·10 + 3·11 + 5·12 + 6·13 = ${y.data[1]}.`);
  await expect(count).toHaveText('6 / 20');
  await expect(narration).toHaveText('out[0,1]: sum += x[0,1]·w[0,0] = 2·10 = 20 → 20');
  // Keyboard only: the focus is back on the toggle, → steps on and asks for out[1,0]; typed, Enter.
  await expect(toggle).toBeFocused();
  for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
  await expect(count).toHaveText('10 / 20');
  await expect(turn.getByRole('textbox', { name: 'out[1,0] =' })).toBeFocused();
  await page.keyboard.type(String(y.data[2]));
  await page.keyboard.press('Enter');
  await expect(verdict).toHaveText(`Right: out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = ${y.data[2]}.`);
  await expect(count).toHaveText('11 / 20');
  // The store then shows the same value in the output grid.
  for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowRight');
  await expect(output.locator('td').nth(2)).toHaveText(String(y.data[2]));
  // "Show me" reveals the answer; turning the mode off steps without asking.
  await page.keyboard.press('ArrowRight');
  await turn.getByRole('button', { name: 'Show me' }).click();
  await expect(verdict).toHaveText(`The answer: out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = ${y.data[3]}.`);
  await expect(count).toHaveText('16 / 20');
  await figure.getByRole('button', { name: 'Step back' }).click();
  await toggle.click();
  await forward.click();
  await expect(count).toHaveText('16 / 20');
  await expect(turn.locator('.prompt')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a real MNIST digit with an edge kernel: the output picture is conv2d of the engine, read out on focus', async ({ page }) => {
  const errors = watchErrors(page);
  const { figure, vars } = await playground(page);
  // Long tasks (start time, duration) while the preset is drawn and stepped: the figure must not freeze the page.
  type Watched = { longTasks: [number, number][]; drawn: number };
  await page.evaluate(() => {
    (window as unknown as Watched).longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) (window as unknown as Watched).longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
  });
  await figure.getByRole('button', { name: 'Digit: Sobel x' }).click();
  const input = figure.locator('.gray-picture[data-role="input"]');
  const output = figure.locator('.gray-picture[data-role="output"]');
  await expect(output.locator('figcaption')).toHaveText('Output 26 × 26');
  await expect(input.locator('figcaption')).toHaveText('Input 28 × 28');
  // Pictures, not 784 + 676 numbered cells.
  await expect(figure.locator('.matrix[data-role="input"], .matrix[data-role="output"]')).toHaveCount(0);
  expect(await figure.locator('td').count()).toBeLessThan(60);
  const count = figure.getByTestId('step-count');
  await expect(count).toHaveText('1 / 676');
  await page.evaluate(() => ((window as unknown as Watched).drawn = performance.now()));
  // The code panel follows the loops: one step per output pixel, its store and loop variables.
  await expect(figure.locator('.code-panel .active-line')).toContainText('= sum;');
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 0');
  await figure.getByRole('button', { name: 'Step forward' }).click();
  await expect(vars).toHaveText('n = 0  f = 0  oh = 0  ow = 1');

  const x = tensor([1, 1, 28, 28], [...MNIST_DIGIT.pixels]);
  const y = conv2d(x, tensor([1, 1, 3, 3], IMAGE_KERNELS[0].weights), null);
  const grays = async () =>
    output.locator('canvas').evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  // After two steps two pixels are drawn, the rest is still transparent (not computed yet).
  const early = await grays();
  expect(early.filter((_, k) => k % 4 === 3 && early[k] === 255)).toHaveLength(2);
  await figure.getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press('End');
  await expect(count).toHaveText('676 / 676');
  const levels = grayLevels(y.data, maxAbs(y.data), true);
  const rgba = await grays();
  expect(rgba.filter((_, k) => k % 4 === 0)).toEqual(Array.from(levels, (g) => Math.round(255 * g)));
  expect(rgba.filter((_, k) => k % 4 === 3).every((a) => a === 255)).toBe(true);
  // The engine's numbers on focus: arrow keys move over the output picture without stepping.
  const frame = output.getByRole('group');
  await frame.focus();
  await expect(output.locator('.readout')).toHaveText(`out[0,0] = ${y.data[0]}`.replace('= -', '= −'));
  for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowRight');
  for (let k = 0; k < 10; k++) await page.keyboard.press('ArrowDown');
  await expect(output.locator('.readout')).toHaveText(`out[10,4] = ${y.data[10 * 26 + 4]}`.replace('= -', '= −'));
  await expect(count).toHaveText('676 / 676');
  await input.getByRole('group').focus();
  await page.keyboard.press('ArrowDown');
  await expect(input.locator('.readout')).toHaveText(`x[1,0] = ${MNIST_DIGIT.pixels[28]}`);
  // A kernel edit redraws the picture from the engine.
  await figure.getByRole('button', { name: 'Digit: Laplacian' }).click();
  await expect(count).toHaveText('1 / 676');
  const { longTasks, drawn } = await page.evaluate(() => {
    const w = window as unknown as Watched;
    return { longTasks: w.longTasks, drawn: w.drawn };
  });
  console.log(`long tasks (ms): ${JSON.stringify(longTasks.map(([at, d]) => `${at < drawn ? 'first draw' : 'after'} ${Math.round(d)}`))}`);
  // Stepping, jumping to the end, reading pixels and drawing another kernel (code already compiled).
  expect(Math.max(0, ...longTasks.filter(([at]) => at >= drawn).map(([, d]) => d))).toBeLessThan(200);
  await expectNoSeriousA11yViolations(page, `${PATH} (digit)`);
  expect(errors).toEqual([]);
});

test('lesson 1 has no serious or critical accessibility violations', async ({ page }) => {
  await playground(page);
  await page.waitForLoadState('networkidle');
  await expectNoSeriousA11yViolations(page, PATH);
});

test('lesson 1 screenshots, wide and 375 px', async ({ page }) => {
  await screenshotBothWidths(page, PATH, 'lesson-01');
  for (const [suffix, width] of [
    ['wide', 1280],
    ['narrow', 375],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    const { figure } = await playground(page, `${PATH}?cv.h=6&cv.w=6&cv.p=1&cv.d=2&cv.step=12`);
    await figure.screenshot({ path: join(SCREENSHOTS, `lesson-01-playground-${suffix}.png`) });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
