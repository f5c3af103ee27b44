import { test, expect } from '@playwright/test';
import { openHarness } from './fixtures/harness-page.ts';
import type { HarnessPage } from './fixtures/harness-page.ts';
import { createRng } from '../../lib/random.ts';
import type { ConvCase, GemmCase, MatrixCase, WebGLOpsApi } from './harness/webgl-ops.ts';
import type { DeviceLimits } from './harness/device-limits.ts';

/**
 * Parity of every WebGL op with the CPU engine, in headless Chromium (SwiftShader). The harness is
 * bundled here with esbuild and loaded into a blank page: no site, no server needed.
 * Error = max |gpu − cpu| / max(1, max |cpu|), required ≤ 1e-4.
 */
const TOLERANCE = 1e-4;

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: undefined });

let harness: HarnessPage<WebGLOpsApi>;
let limits: DeviceLimits;

test.beforeAll(async ({ browser }) => {
  harness = await openHarness<WebGLOpsApi>(browser, new URL('./harness/webgl-ops.ts', import.meta.url), 'webglOps');
  limits = await harness.call('deviceLimits', undefined as never);
  console.log(`webgl-ops device: ${limits.deviceName}; ${limits.maxDrawBuffers} render targets; textures up to ${limits.maxTextureSize}`);
});

/**
 * Matrices in `layers` layers are render targets of one framebuffer: a device with fewer targets
 * (e.g. 4) cannot hold them, and the backend never makes them there (8-row GEMM needs 8).
 */
function skipBeyondTargets(layers: number | undefined): void {
  const needed = layers ?? 1;
  test.skip(needed > limits.maxDrawBuffers, `${needed} layers need ${needed} render targets; this device offers ${limits.maxDrawBuffers}`);
}

test.afterAll(async () => {
  await harness?.close();
});

/** Calls harness function `name` with `arg` inside the page. */
const call: HarnessPage<WebGLOpsApi>['call'] = (name, arg) => harness.call(name, arg);

function convName(c: ConvCase): string {
  const pair = (p: [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}×${p[1]}`);
  const wrap = c.maxTextureSize ? ` wrap@${c.maxTextureSize}` : '';
  const layers = `${c.layers ? ` input in ${c.layers} layers` : ''}${c.mask ? ' ReLU-backward mask fused' : ''}`;
  return `x=[${c.shape.join(',')}] k=${c.kernel.join('×')} s=${pair(c.stride)} p=${pair(c.padding)} d=${pair(c.dilation)}${wrap}${layers}`;
}

/** Random valid geometries from a seeded generator (the same every run). */
function randomConvCases(count: number, seed: number): ConvCase[] {
  const rng = createRng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const shape: [number, number, number, number] = [int(1, 3), int(1, 4), int(3, 9), int(3, 9)];
    const kernel: [number, number] = [int(1, 3), int(1, 3)];
    const stride: [number, number] = [int(1, 3), int(1, 3)];
    const padding: [number, number] = [int(0, 2), int(0, 2)];
    const dilation: [number, number] = [int(1, 2), int(1, 2)];
    const fits = [0, 1].every((a) => dilation[a] * (kernel[a] - 1) + 1 <= shape[2 + a] + 2 * padding[a]);
    if (fits) cases.push({ shape, kernel, stride, padding, dilation, seed: int(1, 1e6) });
  }
  return cases;
}

const NAMED_CONV_CASES: ConvCase[] = [
  // The seed CNN's layers (windows side by side, k = s = 2), N > 1.
  { shape: [3, 1, 28, 28], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], seed: 1 },
  { shape: [2, 32, 14, 14], kernel: [2, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 2 },
  // Overlapping windows: k3 s1 p1 and k3 s2 p1 (the OVERLAP_CNN layers), C > 1.
  { shape: [2, 3, 8, 8], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], seed: 3 },
  { shape: [2, 4, 9, 7], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 4 },
  // Padding and dilation together, non-square everything.
  { shape: [2, 2, 9, 8], kernel: [3, 2], stride: [2, 1], padding: [2, 1], dilation: [2, 3], seed: 5 },
  // Rows that wrap over several texture rows (the limit forced down to 64 texels).
  { shape: [3, 2, 10, 9], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], seed: 6, maxTextureSize: 64 },
  // Inputs written by the 4-row GEMM kernel (rows dealt over 4 layers), wrapped or not ...
  { shape: [2, 6, 7, 7], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 7, layers: 4 },
  { shape: [3, 5, 10, 9], kernel: [2, 3], stride: [1, 2], padding: [0, 1], dilation: [2, 1], seed: 8, layers: 4, maxTextureSize: 64 },
  // col2im with the previous layer's ReLU backward fused in (the backend's backward pass).
  { shape: [2, 32, 14, 14], kernel: [2, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 9, layers: 4, mask: true },
  { shape: [2, 8, 28, 28], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 10, layers: 4, mask: true },
  // ... and by the 8-row kernel (8 layers), with C·KH·KW not a multiple of 8.
  { shape: [2, 3, 7, 7], kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], seed: 11, layers: 8 },
  {
    shape: [2, 8, 14, 14],
    kernel: [2, 2],
    stride: [2, 2],
    padding: [1, 1],
    dilation: [1, 1],
    seed: 12,
    layers: 8,
    mask: true,
    maxTextureSize: 64,
  },
];

const CONV_CASES = [...NAMED_CONV_CASES, ...randomConvCases(8, 2024)];

test('WebGL2 with float render targets is available (probeWebGL)', async () => {
  const probe = await call('probe', undefined as never);
  expect(probe, JSON.stringify(probe)).toMatchObject({ ok: true });
});

for (const c of CONV_CASES) {
  test(`im2col ${convName(c)}`, async () => {
    skipBeyondTargets(c.layers);
    const r = await call('im2colCase', c);
    expect(r.error, r.detail).toBeLessThanOrEqual(TOLERANCE);
    if (c.maxTextureSize) expect(r.detail, 'a matrix wraps').toContain('wrapped');
  });
  test(`col2im ${convName(c)}`, async () => {
    skipBeyondTargets(c.layers);
    const r = await call('col2imCase', c);
    expect(r.error, r.detail).toBeLessThanOrEqual(TOLERANCE);
    if (c.maxTextureSize) expect(r.detail, 'a matrix wraps').toContain('wrapped');
  });
}

test('a matrix in more layers than the device has render targets is refused by name (4-target device, 8 layers)', async () => {
  expect(await call('layerLimitCase', { maxDrawBuffers: 4, layers: 4 })).toBeNull();
  const refused = await call('layerLimitCase', { maxDrawBuffers: 4, layers: 8 });
  expect(refused?.name).toBe('WebGLUnavailableError');
  expect(refused?.message).toBe('dW: 8 layers need 8 render targets; this device offers 4');
});

const GEMM_CASES: GemmCase[] = [
  { M: 5, K: 7, N: 9, transB: false, bias: false, relu: false, seed: 11 },
  { M: 5, K: 7, N: 9, transB: true, bias: false, relu: false, seed: 12 },
  { M: 32, K: 4, N: 392, transB: false, bias: true, relu: true, seed: 13 },
  { M: 64, K: 128, N: 256, transB: false, bias: true, relu: true, seed: 14 },
  { M: 64, K: 256, N: 128, transB: true, bias: false, relu: false, seed: 15 },
  { M: 250, K: 64, N: 2048, transB: true, bias: false, relu: false, seed: 16 },
  { M: 10, K: 250, N: 13, transB: false, bias: true, relu: false, seed: 17 },
  { M: 3, K: 9, N: 301, transB: false, bias: false, relu: false, seed: 18, maxTextureSize: 64 },
  { M: 6, K: 301, N: 5, transB: true, bias: true, relu: true, seed: 19, maxTextureSize: 64 },
  // Aᵀ × B (the backward pass's W_rowᵀ × dY and Wᵀ × dhᵀ), A stored [K, M].
  { transA: true, M: 128, K: 64, N: 256, transB: false, bias: false, relu: false, seed: 20 },
  { transA: true, M: 250, K: 10, N: 13, transB: false, bias: false, relu: false, seed: 21 },
  { transA: true, M: 7, K: 5, N: 301, transB: false, bias: true, relu: true, seed: 22, maxTextureSize: 64 },
  // Wᵀ × dhᵀ with the previous dense layer's ReLU backward fused in.
  { transA: true, M: 250, K: 10, N: 64, transB: false, bias: false, relu: false, seed: 23, reluMask: true },
  { transA: true, M: 9, K: 6, N: 10, transB: false, bias: false, relu: false, seed: 24, reluMask: true },
];

const GEMM_VARIANTS = GEMM_CASES.flatMap((c) => [
  c,
  { ...c, outLayers: 4 },
  { ...c, outLayers: 4, inLayers: 4, seed: c.seed + 100 },
  { ...c, outLayers: 8, seed: c.seed + 200 },
  { ...c, outLayers: 8, inLayers: 8, seed: c.seed + 300 },
]);

for (const c of GEMM_VARIANTS) {
  const kernel = c.outLayers ? `${c.outLayers}-row kernel${c.inLayers ? `, inputs in ${c.inLayers} layers` : ''}` : '1-row kernel';
  const name = `${c.transA ? `(${c.K}×${c.M})ᵀ` : `${c.M}×${c.K}`} · ${c.transB ? `(${c.N}×${c.K})ᵀ` : `${c.K}×${c.N}`}${c.bias ? ' +bias' : ''}${c.relu ? ' relu' : ''}${c.reluMask ? ' ⊙[mask>0]' : ''}${c.maxTextureSize ? ` wrap@${c.maxTextureSize}` : ''} (${kernel})`;
  test(`gemm ${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} ${name}`, async () => {
    skipBeyondTargets(Math.max(c.outLayers ?? 1, c.inLayers ?? 1));
    const r = await call('gemmCase', c);
    expect(r.error, r.detail).toBeLessThanOrEqual(TOLERANCE);
    if (c.maxTextureSize) expect(r.detail, 'a matrix wraps').toContain('wrapped');
  });
}

const MATRIX_CASES: MatrixCase[] = [
  { rows: 1, cols: 1, seed: 21 },
  { rows: 7, cols: 13, seed: 22 },
  { rows: 64, cols: 128, seed: 23 },
  { rows: 5, cols: 150, seed: 24, maxTextureSize: 16 },
  { rows: 7, cols: 13, seed: 25, layers: 4 },
  { rows: 5, cols: 150, seed: 26, maxTextureSize: 16, layers: 4 },
  { rows: 13, cols: 7, seed: 27, layers: 8 },
  { rows: 9, cols: 150, seed: 28, maxTextureSize: 32, layers: 8 },
];

for (const c of MATRIX_CASES) {
  const name = `[${c.rows}, ${c.cols}]${c.maxTextureSize ? ` wrap@${c.maxTextureSize}` : ''}${c.layers ? ` input in ${c.layers} layers` : ''}`;
  // A transpose can never involve a wrapped row: its output would have more rows than the limit.
  const ops = c.maxTextureSize
    ? (['biasReluCase', 'reluBackwardCase', 'rowSumsCase'] as const)
    : (['transposeCase', 'biasReluCase', 'reluBackwardCase', 'rowSumsCase'] as const);
  for (const op of ops) {
    test(`${op.replace('Case', '')} ${name}`, async () => {
      skipBeyondTargets(c.layers);
      const r = await call(op, c);
      expect(r.error, r.detail).toBeLessThanOrEqual(TOLERANCE);
      if (c.maxTextureSize) expect(r.detail, 'a matrix wraps').toContain('wrapped');
    });
  }
}

for (const c of [
  { N: 3, C: 2, H: 4, W: 4, seed: 31 },
  { N: 5, C: 128, H: 4, W: 4, seed: 32 },
  { N: 40, C: 2, H: 5, W: 5, seed: 33, maxTextureSize: 128 },
  { N: 5, C: 7, H: 4, W: 4, seed: 34, layers: 4 },
  { N: 6, C: 128, H: 4, W: 4, seed: 35, layers: 4, mask: true },
  { N: 3, C: 12, H: 4, W: 4, seed: 36, layers: 8, mask: true },
]) {
  test(`flatten and unflatten N=${c.N} C=${c.C} H×W=${c.H}×${c.W}${c.maxTextureSize ? ` wrap@${c.maxTextureSize}` : ''}${c.layers ? ` input in ${c.layers} layers` : ''}${c.mask ? ', unflatten with ReLU-backward mask' : ''}`, async () => {
    skipBeyondTargets(c.layers);
    const r = await call('flattenCase', c);
    expect(r.error, r.detail).toBeLessThanOrEqual(TOLERANCE);
    if (c.maxTextureSize) expect(r.detail, 'a matrix wraps').toContain('wrapped');
  });
}

for (const c of [
  { N: 7, K: 10, scale: 3, seed: 41 },
  { N: 64, K: 10, scale: 30, seed: 42 },
  { N: 5, K: 3, scale: 500, seed: 43 },
]) {
  test(`softmax cross-entropy N=${c.N} K=${c.K} logits ×${c.scale}: gradient, loss and correct count`, async () => {
    const r = await call('softmaxCase', c);
    expect(r.error).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(r.loss - r.cpuLoss) / Math.max(1, Math.abs(r.cpuLoss))).toBeLessThanOrEqual(TOLERANCE);
    expect(r.correct).toBe(r.cpuCorrect);
    expect(r.flag).toBe(0);
  });
}

test('softmax cross-entropy metrics flag a NaN logit (2) and an infinite one (1)', async () => {
  const nan = await call('softmaxCase', { N: 8, K: 10, scale: 1, seed: 44, poison: 'nan' });
  expect(nan.flag).toBe(2);
  expect(Number.isNaN(nan.loss)).toBe(true);
  const inf = await call('softmaxCase', { N: 8, K: 10, scale: 1, seed: 45, poison: 'inf' });
  expect(inf.flag).toBe(1);
});

for (const kind of ['sgd', 'adam'] as const) {
  test(`${kind} update, 4 steps on [13, 7] matches lib/train/optimizer`, async () => {
    const r = await call('optimizerCase', { kind, rows: 13, cols: 7, steps: 4, lr: 0.05, momentum: 0.9, seed: 51 });
    expect(r.error).toBeLessThanOrEqual(TOLERANCE);
  });
  for (const gradLayers of [4, 8]) {
    test(`${kind} update with the gradient in ${gradLayers} layers (as the GEMM writes it), 3 steps on [9, 6]`, async () => {
      skipBeyondTargets(gradLayers);
      const r = await call('optimizerCase', {
        kind,
        rows: 9,
        cols: 6,
        steps: 3,
        lr: 0.05,
        momentum: 0.9,
        seed: 53 + gradLayers,
        gradLayers,
      });
      expect(r.error).toBeLessThanOrEqual(TOLERANCE);
    });
  }
  test(`${kind} update skips a step whose metrics are not finite (parameters and state unchanged)`, async () => {
    const r = await call('optimizerCase', { kind, rows: 6, cols: 10, steps: 4, lr: 0.05, momentum: 0.9, seed: 52, poisonStep: 1 });
    expect(r.error).toBeLessThanOrEqual(TOLERANCE);
  });
}
