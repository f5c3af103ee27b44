import { test, expect } from '@playwright/test';
import { watchErrors } from './helpers.ts';
import { loadMnistFixture, mnistMissingReason } from './fixtures/mnist-fixture.ts';
import {
  choose,
  configureRun,
  firstNumber,
  openTrainer,
  readout,
  readoutText,
  report,
  section,
  setNumber,
  startTraining,
  stepNumber,
  waitForStepAbove,
} from './fixtures/trainer-page.ts';

/**
 * The trainer's guard against a blow-up and its early feedback, on WebGL2 with the 8,000 / 2,000
 * fixture: SGD trains, then learning rate 1 makes the loss explode — training pauses with "The loss
 * is exploding: lower the learning rate" within 30 s, and "Roll back" puts back the weights and the
 * loss from before; a lower rate then trains on from them. Quick checks on the first 1,000 test
 * digits fill the readout, the chart and the confusion matrix within the first 200 steps.
 */
const fixture = loadMnistFixture();
test.skip(!fixture, mnistMissingReason());

/** The smoothed Training loss readout as a number (scientific notation allowed); NaN for "—". */
async function lossNumber(page: import('@playwright/test').Page): Promise<number> {
  const text = await readoutText(page, 'Training loss');
  return /^[-\d.e+]+$/i.test(text) ? Number(text) : Number.NaN;
}

test('quick checks on 1,000 test digits drive the readout, the chart and the confusion matrix within 200 steps', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!);
  await configureRun(page, { backend: 'webgl', batchSize: 64, epochs: 1 });
  await startTraining(page);
  await expect(readout(page, 'Test accuracy')).toHaveText(/quick check on 1,000 digits, step 100\)/, { timeout: 3 * 60_000 });
  const step = await stepNumber(page);
  expect(step).toBeLessThanOrEqual(200);
  const accuracy = firstNumber(await readoutText(page, 'Test accuracy')) / 100;
  expect(accuracy).toBeGreaterThan(0.5); // 100 Adam steps already read most digits
  // The confusion matrix counts exactly the 1,000 checked digits, row by row as the fixture's labels.
  const rows: number[][] = await page
    .getByRole('table', { name: 'Confusion matrix' })
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number((td.textContent ?? '').replace(/[^\d]/g, '')))),
    );
  const counts = rows.map((r) => r.slice(0, 10));
  const perClass = Array.from({ length: 10 }, (_, d) => fixture!.testLabels.subarray(0, 1000).filter((l) => l === d).length);
  expect(counts.map((r) => r.reduce((a, b) => a + b, 0))).toEqual(perClass);
  const right = counts.reduce((a, r, i) => a + r[i], 0);
  expect(Math.abs(right / 1000 - accuracy)).toBeLessThanOrEqual(0.0006);
  // The chart's figure caption gives the validation accuracy, and the test digits show predictions.
  await expect(section(page, 'Loss and accuracy')).toContainText(/Validation accuracy: \d+\.\d%/);
  await expect(
    section(page, 'Test digits')
      .getByLabel(/^true \d, predicted \d/)
      .first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(errors).toEqual([]);
});

test('learning rate 1 makes the loss explode: training pauses within 30 s, rollback restores the loss from before', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!);
  await configureRun(page, { backend: 'webgl', batchSize: 64, epochs: 2 });
  await choose(page, 'Optimizer', 'sgd');
  await setNumber(page, 'Learning rate', 0.01);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled({ timeout: 60_000 });
  await startTraining(page);
  // Train well past the snapshot at step 50, then raise the rate while training.
  await waitForStepAbove(page, 60, 3 * 60_000);
  const healthy = await lossNumber(page);
  expect(healthy).toBeLessThan(2.5);
  await setNumber(page, 'Learning rate', 1);
  const raisedAt = Date.now();
  const alert = page.getByRole('alert').filter({ hasText: 'The loss is exploding: lower the learning rate' });
  await expect(alert).toBeVisible({ timeout: 30_000 });
  const seconds = (Date.now() - raisedAt) / 1000;
  await expect(readout(page, 'State')).toHaveText('Stopped by a fault');
  const blownUp = await lossNumber(page);
  const rollback = alert.getByRole('button', { name: /^Roll back to step \d+$/ });
  const goodStep = firstNumber((await rollback.textContent()) ?? '');
  expect(goodStep).toBeGreaterThanOrEqual(50);
  await rollback.click();
  await expect(alert).toHaveCount(0);
  await expect.poll(() => stepNumber(page)).toBe(goodStep);
  const restored = await lossNumber(page);
  report(`blow-up paused ${seconds.toFixed(1)} s after lr=1; loss ${healthy} → ${blownUp} → rolled back to step ${goodStep}: ${restored}`);
  expect(restored).toBeLessThan(2.5);
  expect(restored).toBeLessThan(blownUp);
  // A lower rate goes on from the good weights: the loss stays where it was.
  await setNumber(page, 'Learning rate', 0.01);
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForStepAbove(page, goodStep + 20, 2 * 60_000);
  expect(await lossNumber(page)).toBeLessThan(2.5);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(errors).toEqual([]);
});
