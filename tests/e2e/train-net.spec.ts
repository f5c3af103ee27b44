import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { test, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { expectNoSeriousA11yViolations, watchErrors } from './helpers.ts';
import { loadMnistFixture, mnistMissingReason } from './fixtures/mnist-fixture.ts';
import { firstNumber, openTrainer, readoutText, report, startTraining, stepNumber, trainButton } from './fixtures/trainer-page.ts';

/**
 * The layer editor on /train: a network built row by row shows the engine's shapes, trains for
 * 200 steps on WebGL2 and on the CPU worker with a falling loss, an invalid row stops Train with
 * the engine's message, the URL and a downloaded weights file bring the network back, and a
 * network too large for WebGL's textures is refused with its reason.
 */
const fixture = loadMnistFixture();
test.skip(!fixture, mnistMissingReason());

const EXAMPLE = 'c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d10';
const EXAMPLE_SHAPES = ['16 × 28 × 28', '32 × 14 × 14', '32 × 7 × 7', '1,568', '64', '10'];

const editor = (page: Page) => page.getByRole('group', { name: 'Network' });
const rows = (page: Page) =>
  editor(page)
    .getByRole('list', { name: /^Layers/ })
    .getByRole('listitem');
const outputs = (page: Page) => editor(page).locator('[data-output]').allTextContents();
const field = (page: Page, name: string) => page.getByRole('spinbutton', { name, exact: true });

test('building the example network row by row shows the engine’s shapes, and the URL brings it back', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!);
  // Start from the overlapping preset (8, 16, 32 channels) and edit it into the example.
  await page.getByRole('button', { name: 'Overlapping CNN', exact: true }).click();
  await field(page, 'Layer 1 out channels').fill('16');
  await field(page, 'Layer 2 out channels').fill('32');
  await expect(rows(page)).toHaveCount(6);
  await expect.poll(() => outputs(page)).toEqual(EXAMPLE_SHAPES);
  await expect(editor(page)).toContainText('115,114 parameters');
  await expect(editor(page)).toContainText('1,568,640 multiply-adds per image');
  await expect(rows(page).nth(0)).toContainText('im2col 9 × 50,176');
  await expect.poll(() => new URL(page.url()).searchParams.get('net')).toBe(EXAMPLE);
  // Add and remove a dense layer: the network comes back to the same text.
  await page.getByRole('button', { name: 'Add dense', exact: true }).click();
  await expect(rows(page)).toHaveCount(7);
  await expect.poll(() => new URL(page.url()).searchParams.get('net')).toBe('c16k3s1p1,c32k3s2p1,c32k3s2p1,f,d64,d64,d10');
  await page.getByRole('button', { name: 'Remove layer 6', exact: true }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('net')).toBe(EXAMPLE);
  await page.reload();
  await expect(trainButton(page)).toBeEnabled({ timeout: 60_000 });
  await expect.poll(() => outputs(page)).toEqual(EXAMPLE_SHAPES);
  await expect(field(page, 'Layer 2 stride')).toHaveValue('2');
  expect(errors).toEqual([]);
});

test('an invalid row shows the engine’s message and disables Train; the last valid network stays', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!, `/train?net=${EXAMPLE}`);
  await field(page, 'Layer 2 stride').fill('0');
  await expect(rows(page).nth(1)).toContainText('layers[1].stride must be a positive integer, got 0');
  await expect(field(page, 'Layer 2 stride')).toHaveAttribute('aria-invalid', 'true');
  await expect(field(page, 'Layer 2 stride')).toHaveAccessibleDescription(/stride must be a positive integer/);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  expect(new URL(page.url()).searchParams.get('net')).toBe(EXAMPLE);
  await expectNoSeriousA11yViolations(page, '/train layer editor with an invalid row');
  // A 7×7 kernel on the 7×7 map of layer 3 fits; on a 4×4 one (stride 7 before it) it does not.
  await field(page, 'Layer 2 stride').fill('7');
  await field(page, 'Layer 3 kernel').fill('7');
  await expect(rows(page).nth(2)).toContainText('kernel 7×7 does not fit the padded input 6×6');
  await field(page, 'Layer 2 stride').fill('2');
  await field(page, 'Layer 3 kernel').fill('3');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled({ timeout: 60_000 });
  await expect.poll(() => outputs(page)).toEqual(EXAMPLE_SHAPES);
  expect(errors).toEqual([]);
});

for (const backend of ['webgl', 'cpu'] as const) {
  test(`the example network trains 200 steps on ${backend === 'webgl' ? 'WebGL2' : 'the CPU worker'} and its loss falls`, async ({
    page,
  }) => {
    test.setTimeout(8 * 60_000);
    const errors = watchErrors(page);
    await openTrainer(page, fixture!, `/train?net=${EXAMPLE}&backend=${backend}&batch=32&epochs=1`);
    await expect.poll(() => outputs(page)).toEqual(EXAMPLE_SHAPES);
    await startTraining(page);
    await expect(page.locator('dl[aria-label="Training status"]')).toContainText(backend === 'webgl' ? 'WebGL2' : 'CPU worker', {
      timeout: 60_000,
    });
    await expect.poll(() => stepNumber(page), { timeout: 2 * 60_000 }).toBeGreaterThanOrEqual(10);
    const early = firstNumber(await readoutText(page, 'Training loss'));
    await expect.poll(() => stepNumber(page), { timeout: 6 * 60_000, intervals: [1_000] }).toBeGreaterThanOrEqual(200);
    const rate = firstNumber(await readoutText(page, 'Images per second'));
    const late = firstNumber(await readoutText(page, 'Training loss'));
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    report(
      `${EXAMPLE} on ${backend}: loss ${early} at step ~10 → ${late} at step ≥ 200; ${rate} images/s at batch 32; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    expect(late).toBeLessThan(early);
    expect(late).toBeLessThan(1.2);
    expect(errors).toEqual([]);
  });
}

test('a downloaded weights file brings its network back into the editor', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const errors = watchErrors(page);
  await openTrainer(page, fixture!, `/train?net=${EXAMPLE}&backend=cpu`);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download weights', exact: true }).click();
  const file = await (await download).path();
  await page.getByRole('button', { name: 'Seed CNN', exact: true }).click();
  await expect.poll(() => outputs(page)).toEqual(['32 × 14 × 14', '64 × 8 × 8', '128 × 4 × 4', '2,048', '250', '10']);
  await expect(trainButton(page)).toBeEnabled({ timeout: 60_000 });
  await page
    .getByLabel('Load weights', { exact: true })
    .setInputFiles({ name: 'example.unrolled', mimeType: 'application/octet-stream', buffer: readFileSync(file) });
  await expect(page.getByText(/Loaded example\.unrolled: weights for c16k3s1p1,.*The layer editor switched to its network/)).toBeVisible({
    timeout: 30_000,
  });
  await expect.poll(() => outputs(page)).toEqual(EXAMPLE_SHAPES);
  await expect.poll(() => new URL(page.url()).searchParams.get('net')).toBe(EXAMPLE);
  expect(errors).toEqual([]);
});

test('a network too large for WebGL’s textures is refused on WebGL2 with its reason before training', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const errors = watchErrors(page);
  // Conv 2's im2col matrix [512·3·3, 64·28·28] = [4608, 50176] needs 2 texture rows per row: 9216 > SwiftShader's 8192.
  const big = 'c512k3s1p1,c512k3s1p1,f,d10';
  await openTrainer(page, fixture!, '/train?backend=cpu');
  await page.getByRole('combobox', { name: 'Backend', exact: true }).selectOption('webgl');
  for (const layer of [1, 2]) {
    await field(page, `Layer ${layer} out channels`).fill('512');
    await field(page, `Layer ${layer} kernel`).fill('3');
    await field(page, `Layer ${layer} stride`).fill('1');
    await field(page, `Layer ${layer} padding`).fill('1');
  }
  await page.getByRole('button', { name: 'Remove layer 3', exact: true }).click();
  await expect(rows(page)).toHaveCount(5);
  await page.getByRole('button', { name: 'Remove layer 4', exact: true }).click();
  await expect(rows(page)).toHaveCount(4);
  await expect(rows(page).nth(1)).toContainText(
    /this layer does not fit WebGL2's texture limit of \d+ texels on this device: a 4608×50176 matrix needs 9216 texture rows \(2 per matrix row\)/,
  );
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  // The network the worker keeps is the last one it could hold; the link keeps it too.
  expect(new URL(page.url()).searchParams.get('net')).not.toBe(big);
  // On the CPU the same row says what that backend cannot hold.
  await page.getByRole('combobox', { name: 'Backend', exact: true }).selectOption('cpu');
  await expect(rows(page).nth(1)).toContainText(/on the CPU, more than its budget of 1.07 GB/);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  expect(errors).toEqual([]);
});
