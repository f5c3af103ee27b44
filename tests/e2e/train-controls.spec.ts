import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { watchErrors } from './helpers.ts';
import { loadMnistFixture, mnistMissingReason } from './fixtures/mnist-fixture.ts';
import {
  configureRun,
  openTrainer,
  primaryButton,
  readout,
  readoutText,
  report,
  resetButton,
  startTraining,
  stepNumber,
  waitForStepAbove,
} from './fixtures/trainer-page.ts';

/**
 * The run controls while training on WebGL2: Pause holds the Step, Resume continues, Reset returns
 * to step 0, the learning rate can change mid-run (the other settings are locked), the page answers
 * input within 100 ms while training; and the two fault drills (NaN loss, lost WebGL context).
 */
const fixture = loadMnistFixture();
test.skip(!fixture, mnistMissingReason());

/** Waits `ms` of wall time (to see that something does NOT change). */
function idle(page: Page, ms: number): Promise<void> {
  return page.waitForTimeout(ms);
}

/** Opens the page, sets a 1-epoch WebGL run at batch 64 and starts it; returns once Step > 0. */
async function startWebGLRun(page: Page): Promise<void> {
  await openTrainer(page, fixture!);
  await configureRun(page, { backend: 'webgl', batchSize: 64, epochs: 1 });
  await startTraining(page);
  await expect(readout(page, 'Backend')).toHaveText(/^\s*WebGL2\b/, { timeout: 60_000 });
  await waitForStepAbove(page, 0, 90_000);
}

/** Asserts the Step readout holds still for `ms` (allowing in-flight updates to land first). */
async function expectStepHolds(page: Page, ms = 2_000): Promise<number> {
  await idle(page, 500);
  const held = await stepNumber(page);
  await idle(page, ms);
  expect(await stepNumber(page), 'Step must not advance').toBe(held);
  return held;
}

test('Pause holds the step, Resume continues, Reset returns to step 0', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  const errors = watchErrors(page);
  await startWebGLRun(page);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(primaryButton(page)).toHaveAccessibleName('Resume');
  await expect(readout(page, 'State')).toHaveText('Paused');
  const held = await expectStepHolds(page);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(primaryButton(page)).toHaveAccessibleName('Pause');
  await waitForStepAbove(page, held, 60_000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(primaryButton(page)).toHaveAccessibleName('Resume');
  await resetButton(page).click();
  await expect.poll(() => stepNumber(page), { timeout: 30_000 }).toBe(0);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled({ timeout: 60_000 });
  await expect(readout(page, 'Test accuracy')).toHaveText(/—|-/);
  // A fresh run starts again from step 0.
  await startTraining(page);
  await waitForStepAbove(page, 0, 90_000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(errors).toEqual([]);
});

test('while training only the learning rate is editable, and changing it keeps training going', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  const errors = watchErrors(page);
  await startWebGLRun(page);
  for (const label of ['Backend', 'Optimizer', 'Batch size']) {
    await expect(page.getByRole('combobox', { name: label, exact: true })).toBeDisabled();
  }
  // The layer editor waits too.
  await expect(page.getByRole('spinbutton', { name: 'Layer 1 out channels', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Add conv', exact: true })).toBeDisabled();
  for (const label of ['Epochs', 'Seed']) await expect(page.getByRole('spinbutton', { name: label, exact: true })).toBeDisabled();
  const lr = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
  await expect(lr).toBeEnabled();
  await lr.fill('0.0005');
  await expect(lr).not.toHaveAttribute('aria-invalid', 'true');
  await expect.poll(() => new URL(page.url()).searchParams.get('lr')).toBe('0.0005');
  const step = await stepNumber(page);
  await waitForStepAbove(page, step, 60_000);
  // An invalid rate shows the engine's message inline and training goes on with the last valid one.
  await lr.fill('5');
  await expect(lr).toHaveAttribute('aria-invalid', 'true');
  await expect(lr).toHaveAccessibleDescription(/learning ?rate/i);
  await expect(lr).toHaveAccessibleDescription(/\b5\b/);
  expect(new URL(page.url()).searchParams.get('lr')).toBe('0.0005');
  await waitForStepAbove(page, await stepNumber(page), 60_000);
  await lr.fill('0.001');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(errors).toEqual([]);
});

/** Per key press: [handler delay, event → next animation frame] in ms. */
type Latency = [number, number];

/**
 * Presses a key `count` times (focus on the page body, so nothing changes) and measures in the page,
 * for each press, how long after the event's creation its handler ran and the next frame came.
 */
async function measureKeyLatency(page: Page, count: number): Promise<Latency[]> {
  await page.evaluate(() => {
    const w = window as unknown as { __latencies: [number, number][]; __latencyInstalled?: boolean };
    w.__latencies = [];
    if (w.__latencyInstalled) return;
    w.__latencyInstalled = true;
    document.addEventListener('keydown', (event) => {
      const t0 = event.timeStamp;
      const handled = performance.now() - t0;
      requestAnimationFrame(() => w.__latencies.push([handled, performance.now() - t0]));
    });
  });
  await page.locator('body').focus();
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Shift');
    await idle(page, 150);
  }
  await expect.poll(() => page.evaluate(() => (window as unknown as { __latencies: unknown[] }).__latencies.length)).toBe(count);
  return page.evaluate(() => (window as unknown as { __latencies: [number, number][] }).__latencies);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

function describeLatency(name: string, l: Latency[]): string {
  const frame = l.map((x) => x[1]);
  const handler = l.map((x) => x[0]);
  return `${name}: key→frame median ${quantile(frame, 0.5).toFixed(0)} ms, p90 ${quantile(frame, 0.9).toFixed(0)} ms, max ${Math.max(...frame).toFixed(0)} ms; key→handler median ${quantile(handler, 0.5).toFixed(0)} ms, max ${Math.max(...handler).toFixed(0)} ms`;
}

for (const backend of ['webgl', 'cpu'] as const) {
  test(`the page answers input within 100 ms while training (${backend})`, async ({ page }) => {
    test.setTimeout(4 * 60_000);
    await openTrainer(page, fixture!);
    await configureRun(page, { backend, batchSize: 64, epochs: 1 });
    const before = await measureKeyLatency(page, 10);
    await startTraining(page);
    await waitForStepAbove(page, 0, 90_000);
    const during = await measureKeyLatency(page, 20);
    await expect(primaryButton(page)).toHaveAccessibleName('Pause'); // still training throughout
    // evaluate round trips: the main thread's event loop, independent of frames.
    const roundTrips: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      await page.evaluate(() => 0);
      roundTrips.push(Date.now() - t);
    }
    report(
      `${describeLatency('idle', before)} | ${describeLatency(`training on ${backend}`, during)} | evaluate round trip max ${Math.max(...roundTrips)} ms`,
    );
    const frames = during.map((x) => x[1]);
    expect(quantile(frames, 0.5), 'median key→frame latency while training (ms)').toBeLessThan(100);
    expect(quantile(frames, 0.9), 'p90 key→frame latency while training (ms)').toBeLessThan(100);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
  });
}

test('a NaN loss stops training with a message, and Reset recovers', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  await startWebGLRun(page);
  await page.getByText('Fault drills', { exact: true }).click();
  await page.getByRole('button', { name: 'Simulate NaN loss' }).click();
  const alert = page.getByRole('alert').filter({ hasText: /not a number|infinite/i });
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(primaryButton(page)).not.toHaveAccessibleName('Pause');
  await expectStepHolds(page);
  const reset = alert.getByRole('button', { name: 'Reset' }).or(resetButton(page)).first();
  await reset.click();
  await expect(alert).toHaveCount(0, { timeout: 30_000 });
  await expect.poll(() => stepNumber(page), { timeout: 30_000 }).toBe(0);
  await expect(readout(page, 'Training loss')).not.toHaveText(/NaN|not a number|infinite/i);
  await startTraining(page);
  await waitForStepAbove(page, 0, 90_000);
  expect(Number.isFinite(Number((await readoutText(page, 'Training loss')).replace(/[^\d.]/g, '')))).toBe(true);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
});

test('a lost WebGL context shows a message and training resumes once it is restored', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const errors = watchErrors(page);
  await startWebGLRun(page);
  await page.getByText('Fault drills', { exact: true }).click();
  await page.getByRole('button', { name: 'Simulate context loss' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'WebGL context was lost' })).toBeVisible({ timeout: 30_000 });
  const held = await expectStepHolds(page);
  await page.getByRole('button', { name: 'Restore context' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /restored/i })).toBeVisible({ timeout: 60_000 });
  await waitForStepAbove(page, held, 2 * 60_000);
  await expect(readout(page, 'Backend')).toHaveText(/^\s*WebGL2\b/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  // Context-loss warnings Chromium itself logs are expected here; nothing else.
  expect(errors.filter((e) => !/context lost|CONTEXT_LOST|lost context/i.test(e))).toEqual([]);
});
