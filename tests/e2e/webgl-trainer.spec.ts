import { test, expect } from '@playwright/test';
import { openHarness } from './fixtures/harness-page.ts';
import type { HarnessPage } from './fixtures/harness-page.ts';
import type { StepCase, WebGLTrainerApi } from './harness/webgl-trainer.ts';
import type { DeviceLimits } from './harness/device-limits.ts';
import { isSoftwareRenderer } from '../../lib/webgl/probe.ts';

/**
 * createWebGLBackend against the CPU engine (lib/train) in headless Chromium (SwiftShader): whole
 * training steps, logits, memory over many steps, the NaN guard and context loss. The harness is
 * bundled with esbuild and loaded into a blank page (no site needed).
 */
const TOLERANCE = 1e-4;

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: undefined });

let harness: HarnessPage<WebGLTrainerApi>;
let limits: DeviceLimits;

test.beforeAll(async ({ browser }) => {
  harness = await openHarness<WebGLTrainerApi>(browser, new URL('./harness/webgl-trainer.ts', import.meta.url), 'webglTrainer');
  limits = await harness.call('deviceLimits', undefined as never);
  console.log(
    `webgl-trainer device: ${limits.deviceName}; ${limits.maxDrawBuffers} render targets; textures up to ${limits.maxTextureSize}`,
  );
});

test.afterAll(async () => {
  await harness?.close();
});

/** Calls harness function `name` with `arg` inside the page. */
const call: HarnessPage<WebGLTrainerApi>['call'] = (name, arg) => harness.call(name, arg);

const STEP_CASES: StepCase[] = [
  { preset: 'seed', batchSize: 8, optimizer: 'sgd', steps: 2, seed: 1 },
  { preset: 'seed', batchSize: 8, optimizer: 'adam', steps: 2, seed: 2 },
  { preset: 'overlap', batchSize: 4, optimizer: 'sgd', steps: 2, seed: 3 },
  { preset: 'overlap', batchSize: 4, optimizer: 'adam', steps: 2, seed: 4 },
  // Batch 16 with the texture limit forced to 2048 (WebGL2's minimum): the input row
  // [1, 16·784] needs 3136 texels and wraps over 2 texture rows.
  { preset: 'seed', batchSize: 16, optimizer: 'sgd', steps: 1, seed: 5, maxTextureSize: 2048 },
  // Paced as on a software renderer, with bands so thin that every draw of the 2nd and 3rd step
  // (costs are measured on the 1st) is split into scissored passes over its output.
  { preset: 'seed', batchSize: 8, optimizer: 'adam', steps: 3, seed: 6, paceMs: 0.001 },
  { preset: 'overlap', batchSize: 4, optimizer: 'sgd', steps: 3, seed: 7, paceMs: 0.001 },
  // The 4-row GEMM kernel that hardware GPUs get ('auto' picks 8 rows on SwiftShader).
  { preset: 'seed', batchSize: 8, optimizer: 'adam', steps: 2, seed: 8, gemmRows: 4 },
  { preset: 'overlap', batchSize: 4, optimizer: 'sgd', steps: 2, seed: 9, gemmRows: 4 },
  // Networks of the layer editor: 3×3 stride-1 padding-1 convolutions (one without ReLU, and a
  // linear hidden dense layer), 5×5 kernels with stride 2, and a network with no conv at all.
  { preset: 'seed', net: 'c8k3s1p1,c8k3s1p1l,c16k3s1p1,f,d32l,d10', batchSize: 4, optimizer: 'sgd', steps: 1, seed: 21 },
  { preset: 'seed', net: 'c6k5s2p2,c12k5s2p0,f,d10', batchSize: 4, optimizer: 'adam', steps: 1, seed: 22 },
  { preset: 'seed', net: 'f,d32,d10', batchSize: 8, optimizer: 'sgd', steps: 1, seed: 23 },
];

for (const c of STEP_CASES) {
  const name = `${c.net ? `network ${c.net}` : `${c.preset} CNN`}, batch ${c.batchSize}, ${c.optimizer === 'sgd' ? 'SGD momentum 0.9' : 'Adam'}, ${c.steps} step${c.steps > 1 ? 's' : ''}${c.maxTextureSize ? `, texture limit ${c.maxTextureSize}` : ''}${c.paceMs ? ', paced in bands' : ''}${c.gemmRows ? `, ${c.gemmRows}-row GEMM` : ''}`;
  test(`training step matches lib/train trainStep: ${name}`, async () => {
    const r = await call('stepParity', c);
    for (const s of r.steps) {
      expect(s.gpu.finite).toBe(true);
      expect(s.gpu.count).toBe(c.batchSize);
      expect(Math.abs(s.gpu.loss - s.cpuLoss) / Math.max(1, Math.abs(s.cpuLoss))).toBeLessThanOrEqual(TOLERANCE);
      expect(s.gpu.correct).toBe(s.cpuCorrect);
    }
    for (const [name, error] of Object.entries(r.paramErrors)) {
      expect(error, `${name} after ${c.steps} step(s)`).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(Object.keys(r.paramErrors)).toHaveLength(c.net ? 2 * c.net.split(',').filter((t) => t !== 'f').length : 10);
    // 'auto' resolves to 8-row GEMM blocks on a software renderer with 8 render targets, else 4.
    const autoRows = isSoftwareRenderer(limits.deviceName) && limits.maxDrawBuffers >= 8 ? 8 : 4;
    expect(r.gemmRows).toBe(c.gemmRows ?? autoRows);
    if (c.paceMs) expect(r.bands, 'scissored bands drawn').toBeGreaterThan(100);
    else expect(r.bands).toBe(0);
    // Adam leaves out entries with a tiny nonzero gradient (see StepComparison): only a few.
    expect(r.excluded).toBeLessThanOrEqual(0.02 * r.compared);
  });
}

test('logits(x, n) of a partial batch (5 of 8) match lib/train forward: seed CNN', async () => {
  expect(await call('logitsParity', { preset: 'seed', batchSize: 8, n: 5, seed: 11 })).toBeLessThanOrEqual(TOLERANCE);
});

test('logits(x, n) of a full batch match lib/train forward: overlap CNN', async () => {
  expect(await call('logitsParity', { preset: 'overlap', batchSize: 4, n: 4, seed: 12 })).toBeLessThanOrEqual(TOLERANCE);
});

for (const c of [
  { preset: 'tiny', batchSize: 16, steps: 300, ahead: 3 },
  { preset: 'seed', batchSize: 4, steps: 30, ahead: 2 },
] as const) {
  test(`memory does not grow: ${c.steps} Adam steps of the ${c.preset} CNN, ${c.ahead} queued, nothing allocated after the first step`, async () => {
    const r = await call('memory', c);
    expect(r.finite).toBe(c.steps);
    // Every texture exists from the start; after the first step (which compiles the programs)
    // nothing at all is created: no texture, framebuffer, buffer or program.
    expect(r.afterFirst.textures).toBe(r.afterBuild.textures);
    expect(r.afterFirst.framebuffers).toBe(r.afterBuild.framebuffers);
    expect(r.afterAll.textures).toBe(r.afterFirst.textures);
    expect(r.afterAll.framebuffers).toBe(r.afterFirst.framebuffers);
    expect(r.afterAll.buffers).toBe(r.afterFirst.buffers);
    expect(r.afterAll.programs).toBe(r.afterFirst.programs);
    expect(r.afterAll.allocations).toBe(r.afterFirst.allocations);
    expect(r.afterAll.draws).toBeGreaterThan(r.afterFirst.draws * (c.steps - 1));
  });
}

for (const optimizer of ['sgd', 'adam'] as const) {
  test(`a NaN pixel gives a non-finite step and leaves the parameters unchanged (${optimizer}); the next clean step trains`, async () => {
    const r = await call('nanStep', { where: 'input', optimizer });
    expect(r.metrics.finite).toBe(false);
    expect(Number.isNaN(r.metrics.loss)).toBe(true);
    expect(r.unchanged).toBe(true);
    expect(r.nextFinite).toBe(true);
  });
}

test('a NaN weight gives a non-finite step and leaves the parameters unchanged', async () => {
  const r = await call('nanStep', { where: 'params', optimizer: 'sgd' });
  expect(r.metrics.finite).toBe(false);
  expect(r.unchanged).toBe(true);
});

test('simulateContextLoss fires the listener, a step in flight and methods afterwards reject, restore fires it again', async () => {
  const r = await call('contextLoss', undefined as never);
  expect(r.lostResult).toBe(true);
  expect(r.events).toEqual([true, false]);
  expect(r.pendingRejection).toMatch(/^WebGLContextLostError: /);
  expect(r.rejection).toMatch(/^WebGLContextLostError: trainStep: the WebGL context was lost/);
  expect(r.getParamsRejects).toBe(true);
  expect(r.restoreResult).toBe(true);
});

test('a batch beyond the texture limit throws WebGLUnavailableError naming the batch size and the limit', async () => {
  const r = await call('tooBig', { batchSize: 64, maxTextureSize: 256 });
  expect(r.isUnavailable).toBe(true);
  expect(r.name).toBe('WebGLUnavailableError');
  expect(r.message).toContain('batch size 64');
  expect(r.message).toContain('256');
});
