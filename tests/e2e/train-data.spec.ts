import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { expectNoSeriousA11yViolations, watchErrors } from './helpers.ts';
import { corruptedFile, filePayloads, loadMnistFixture, mnistMissingReason, routeMnist, truncatedFile } from './fixtures/mnist-fixture.ts';
import { dataStatus, expectFixtureLoaded } from './fixtures/trainer-page.ts';

/**
 * The data faults of /train: missing files (404) explain `npm run data` and offer the "MNIST files"
 * picker, which loads the four files; a truncated or corrupted file gives an alert naming the file
 * and the problem, and the page stays usable (the good files can still be picked).
 */
const fixture = loadMnistFixture();
test.skip(!fixture, mnistMissingReason());

/** Console errors the page may log for the 404s we serve on purpose (the browser reports them). */
function unexpected(errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource.*404|status of 404/i.test(e));
}

async function picker(page: Page) {
  const input = page.getByLabel('MNIST files', { exact: true });
  await expect(input).toBeAttached({ timeout: 30_000 });
  return input;
}

test('without data files the page explains `npm run data` and loads the four files from the picker', async ({ page }) => {
  const errors = watchErrors(page);
  const requested = await routeMnist(page, null);
  await page.goto('/train');
  const data = page.getByRole('region', { name: 'Data' });
  await expect(data).toContainText('npm run data', { timeout: 30_000 });
  expect(requested.length).toBeGreaterThan(0);
  // No Train before there is data.
  const train = page.getByRole('button', { name: 'Train', exact: true });
  if (await train.count()) await expect(train).toBeDisabled();
  await expectNoSeriousA11yViolations(page, '/train without data');
  await (await picker(page)).setInputFiles(filePayloads(fixture!.files));
  await expectFixtureLoaded(page);
  await expect(data.getByRole('alert')).toHaveCount(0);
  expect(unexpected(errors)).toEqual([]);
});

test('one missing file: the three that arrived are kept, picking only the missing one loads, and the 404 line goes', async ({ page }) => {
  const errors = watchErrors(page);
  const { 'train-labels-idx1-ubyte.gz': missing, ...three } = fixture!.files;
  await routeMnist(page, three);
  await page.goto('/train');
  const data = page.getByRole('region', { name: 'Data' });
  await expect(dataStatus(page)).toContainText('1 of the four MNIST files did not arrive', { timeout: 30_000 });
  await expect(data).toContainText('train-labels-idx1-ubyte.gz (HTTP 404)');
  await (await picker(page)).setInputFiles(filePayloads({ 'train-labels-idx1-ubyte.gz': missing }));
  await expectFixtureLoaded(page);
  await expect(data).not.toContainText('HTTP 404');
  await expect(data.getByRole('alert')).toHaveCount(0);
  expect(unexpected(errors)).toEqual([]);
});

const BROKEN = [
  { what: 'truncated', make: truncatedFile, problem: /truncated/i },
  { what: 'corrupted', make: corruptedFile, problem: /damaged|corrupt|could not be unpacked/i },
] as const;

for (const { what, make, problem } of BROKEN) {
  test(`a ${what} file served at /data/mnist gives an alert naming the file, and the page stays usable`, async ({ page }) => {
    const errors = watchErrors(page);
    const files = { ...fixture!.files, 'train-images-idx3-ubyte.gz': make(fixture!.files['train-images-idx3-ubyte.gz']) };
    await routeMnist(page, files);
    await page.goto('/train');
    const alert = page.getByRole('region', { name: 'Data' }).getByRole('alert');
    await expect(alert).toContainText(problem, { timeout: 30_000 });
    await expect(alert).toContainText('train-images-idx3-ubyte.gz');
    await expect(page.getByRole('heading', { level: 1, name: 'Train a CNN in your browser' })).toBeVisible();
    // Still usable: pick the good files.
    await (await picker(page)).setInputFiles(filePayloads(fixture!.files));
    await expectFixtureLoaded(page);
    await expect(alert).toHaveCount(0);
    expect(unexpected(errors)).toEqual([]);
  });

  test(`a ${what} file picked by hand gives an alert, and the good files still load after it`, async ({ page }) => {
    await routeMnist(page, null);
    await page.goto('/train');
    const input = await picker(page);
    const bad = make(fixture!.files['t10k-labels-idx1-ubyte.gz']);
    await input.setInputFiles(filePayloads({ ...fixture!.files, 't10k-labels-idx1-ubyte.gz': bad }));
    const alert = page.getByRole('region', { name: 'Data' }).getByRole('alert');
    await expect(alert).toContainText(problem, { timeout: 30_000 });
    await expect(alert).toContainText('t10k-labels-idx1-ubyte.gz');
    await (await picker(page)).setInputFiles(filePayloads(fixture!.files));
    await expectFixtureLoaded(page);
    await expect(dataStatus(page)).not.toContainText(problem);
  });
}
