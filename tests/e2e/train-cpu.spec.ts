import { test, expect } from '@playwright/test';
import { watchErrors } from './helpers.ts';
import { loadMnistFixture, mnistMissingReason } from './fixtures/mnist-fixture.ts';
import {
  configureRun,
  firstNumber,
  openTrainer,
  parsePercent,
  readout,
  readoutText,
  report,
  startTraining,
  waitForDone,
} from './fixtures/trainer-page.ts';

/**
 * The same seed CNN on the CPU engine in a Web Worker (the fallback when WebGL2 is missing): one
 * epoch of the 8,000-digit fixture at batch 64 must reach a sensible test accuracy (> 90%).
 */
const fixture = loadMnistFixture();
test.skip(!fixture, mnistMissingReason());

test('the CPU worker trains the seed CNN for 1 epoch at batch 64 to > 90% test accuracy', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!);
  await configureRun(page, { backend: 'cpu', batchSize: 64, epochs: 1 });
  const started = Date.now();
  await startTraining(page);
  await expect(readout(page, 'Backend')).toHaveText(/^\s*CPU worker\b/, { timeout: 60_000 });
  await expect
    .poll(async () => firstNumber(await readoutText(page, 'Images per second')), { timeout: 2 * 60_000, intervals: [1_000] })
    .toBeGreaterThan(0);
  const rate = firstNumber(await readoutText(page, 'Images per second'));
  await waitForDone(page, 9 * 60_000 - (Date.now() - started));
  const accuracy = parsePercent(await readoutText(page, 'Test accuracy'));
  report(`CPU worker: ${(accuracy * 100).toFixed(1)}% after 1 epoch in ${((Date.now() - started) / 1000).toFixed(0)} s; ${rate} images/s`);
  expect(accuracy).toBeGreaterThan(0.9);
  expect(await readoutText(page, 'Epoch')).toBe('1 of 1');
  expect(errors).toEqual([]);
});
