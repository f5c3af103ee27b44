/**
 * Browser harness for tests/e2e/webgl-trainer.spec.ts: builds createWebGLBackend next to the CPU
 * engine (lib/train) from the same initial parameters and compares them. Bundled by the spec with
 * esbuild (iife) and exposed as `window.webglTrainer`.
 */
import { createRng } from '../../../lib/random.ts';
import { deviceLimits } from './device-limits.ts';
import { OVERLAP_CNN, SEED_CNN, convRelu, denseLayer, forward, lossAndGradients } from '../../../lib/train/model.ts';
import type { ModelPreset, Param } from '../../../lib/train/model.ts';
import { initParams } from '../../../lib/train/init.ts';
import { modelOfNet } from '../../../lib/train/net-model.ts';
import { createAdam, createSgd } from '../../../lib/train/optimizer.ts';
import { trainStep } from '../../../lib/train/train-step.ts';
import type { StepMetrics } from '../../../lib/train/backend.ts';
import { WebGLUnavailableError, createWebGLBackend } from '../../../lib/webgl/index.ts';
import type { GpuStats, WebGLTrainingBackend } from '../../../lib/webgl/index.ts';

/**
 * A small model with every kind of stage (two convs, one overlapping and padded, flatten, two
 * dense layers), cheap enough to run hundreds of steps in a test.
 */
const TINY_CNN: ModelPreset = {
  name: 'tiny-cnn',
  input: [1, 28, 28],
  layers: [convRelu(1, 4, 4, 4, 0), convRelu(4, 8, 3, 2, 1), { kind: 'flatten' }, denseLayer(128, 16, true), denseLayer(16, 10, false)],
  classes: 10,
};

const PRESETS: Record<string, ModelPreset> = { seed: SEED_CNN, overlap: OVERLAP_CNN, tiny: TINY_CNN };

function relativeError(gpu: Float32Array, cpu: Float32Array): number {
  if (gpu.length !== cpu.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 1;
  for (let k = 0; k < cpu.length; k++) {
    const d = Math.abs(gpu[k] - cpu[k]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    scale = Math.max(scale, Math.abs(cpu[k]));
  }
  return diff / scale;
}

function copyParams(params: readonly Param[]): Param[] {
  return params.map((p) => ({ name: p.name, tensor: { shape: [...p.tensor.shape], data: Float32Array.from(p.tensor.data) } }));
}

/** A batch of `n` images in [0, 1) (sparse-ish, like digits) and labels 0..9, from `seed`. */
function batch(preset: ModelPreset, n: number, seed: number): { x: Float32Array; labels: Uint8Array } {
  const rng = createRng(seed);
  const [C, H, W] = preset.input;
  const x = new Float32Array(n * C * H * W);
  for (let k = 0; k < x.length; k++) x[k] = rng() < 0.6 ? 0 : rng();
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) labels[k] = Math.floor(rng() * preset.classes);
  return { x, labels };
}

/** A training-step parity case. */
export interface StepCase {
  readonly preset: 'seed' | 'overlap';
  readonly batchSize: number;
  readonly optimizer: 'sgd' | 'adam';
  readonly steps: number;
  readonly seed: number;
  readonly maxTextureSize?: number;
  /** When given, pacing 'draw' with bands of this many ms (tiny values split every big draw). */
  readonly paceMs?: number;
  /** GEMM rows per fragment (default 'auto'). */
  readonly gemmRows?: 4 | 8;
  /** A network in the net= text form, trained instead of the preset. */
  readonly net?: string;
}

/**
 * Per step the GPU and CPU metrics, and after the last step each parameter's relative error.
 * For Adam, entries whose CPU gradient was nonzero but below ADAM_TINY_GRADIENT at some step are left out
 * (`excluded` counts them): Adam divides by |g| + ε, so for |g| ≈ 1e-7 a float32 rounding of the
 * gradient (or its sign) changes the update by up to 2·lr.
 */
export interface StepComparison {
  readonly steps: { gpu: StepMetrics; cpuLoss: number; cpuCorrect: number }[];
  readonly paramErrors: Record<string, number>;
  readonly excluded: number;
  readonly compared: number;
  readonly wrapped: boolean;
  /** Scissored bands drawn (0 unless the case paces its draws). */
  readonly bands: number;
  /** The GEMM rows per fragment the backend used. */
  readonly gemmRows: number;
}

const ADAM_TINY_GRADIENT = 1e-5;

async function stepParity(c: StepCase): Promise<StepComparison> {
  const preset = c.net ? modelOfNet(c.net) : PRESETS[c.preset];
  const initial = initParams(preset, c.seed);
  const settings = { kind: c.optimizer, learningRate: c.optimizer === 'sgd' ? 0.05 : 0.002, momentum: 0.9 };
  const backend = createWebGLBackend({
    preset,
    batchSize: c.batchSize,
    optimizer: settings,
    params: initial,
    maxTextureSize: c.maxTextureSize,
    gemmRows: c.gemmRows,
    ...(c.paceMs === undefined ? { pacing: 'none' as const } : { pacing: 'draw' as const, paceMs: c.paceMs }),
  });
  const cpuParams = copyParams(initial);
  const opt =
    c.optimizer === 'sgd'
      ? createSgd({ lr: settings.learningRate, momentum: settings.momentum })
      : createAdam({ lr: settings.learningRate });
  const steps: StepComparison['steps'] = [];
  const keep = initial.map((p) => new Uint8Array(p.tensor.data.length).fill(1));
  try {
    for (let s = 0; s < c.steps; s++) {
      const { x, labels } = batch(preset, c.batchSize, c.seed * 100 + s);
      if (c.optimizer === 'adam') {
        const { grads } = lossAndGradients(cpuParams, { shape: [c.batchSize, ...preset.input], data: x }, labels, preset);
        grads.forEach((g, k) =>
          g.data.forEach((v, i) => {
            if (v !== 0 && Math.abs(v) < ADAM_TINY_GRADIENT) keep[k][i] = 0;
          }),
        );
      }
      const gpu = await backend.trainStep(x, labels);
      const cpu = trainStep(cpuParams, { shape: [c.batchSize, ...preset.input], data: x }, labels, preset, opt);
      steps.push({ gpu, cpuLoss: cpu.loss, cpuCorrect: Math.round(cpu.accuracy * c.batchSize) });
    }
    const after = await backend.getParams();
    const paramErrors: Record<string, number> = {};
    let excluded = 0;
    let compared = 0;
    after.forEach((p, k) => {
      const gpu = p.tensor.data.filter((_, i) => keep[k][i] === 1);
      const cpu = cpuParams[k].tensor.data.filter((_, i) => keep[k][i] === 1);
      excluded += p.tensor.data.length - gpu.length;
      compared += gpu.length;
      paramErrors[p.name] = relativeError(gpu, cpu);
    });
    return {
      steps,
      paramErrors,
      excluded,
      compared,
      wrapped: c.maxTextureSize !== undefined,
      bands: backend.stats().bands,
      gemmRows: backend.gemmRows,
    };
  } finally {
    backend.dispose();
  }
}

/** logits(x, n) for a partial batch against lib/train's forward. */
async function logitsParity(c: { preset: 'seed' | 'overlap'; batchSize: number; n: number; seed: number }): Promise<number> {
  const preset = PRESETS[c.preset];
  const params = initParams(preset, c.seed);
  const backend = createWebGLBackend({
    preset,
    batchSize: c.batchSize,
    optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0 },
    params,
  });
  try {
    const { x } = batch(preset, c.n, c.seed + 7);
    const gpu = await backend.logits(x, c.n);
    const cpu = forward(params, { shape: [c.n, ...preset.input], data: x }, preset).logits.data;
    return relativeError(gpu, cpu);
  } finally {
    backend.dispose();
  }
}

/** Runs `steps` steps keeping `ahead` queued; reports the device's object counts over time. */
async function memory(c: {
  preset: 'seed' | 'overlap' | 'tiny';
  batchSize: number;
  steps: number;
  ahead: number;
}): Promise<{ afterBuild: GpuStats; afterFirst: GpuStats; afterAll: GpuStats; finite: number }> {
  const preset = PRESETS[c.preset];
  const backend = createWebGLBackend({
    preset,
    batchSize: c.batchSize,
    optimizer: { kind: 'adam', learningRate: 0.001, momentum: 0 },
    params: initParams(preset, 3),
  });
  try {
    const afterBuild = backend.stats();
    const batches = [0, 1, 2, 3].map((k) => batch(preset, c.batchSize, 40 + k));
    const first = await backend.trainStep(batches[0].x, batches[0].labels);
    const afterFirst = backend.stats();
    let finite = first.finite ? 1 : 0;
    const queue: Promise<StepMetrics>[] = [];
    for (let s = 1; s < c.steps; s++) {
      const b = batches[s % batches.length];
      queue.push(backend.trainStep(b.x, b.labels));
      if (queue.length >= c.ahead) finite += (await queue.shift()!).finite ? 1 : 0;
    }
    for (const p of queue) finite += (await p).finite ? 1 : 0;
    return { afterBuild, afterFirst, afterAll: backend.stats(), finite };
  } finally {
    backend.dispose();
  }
}

/** A NaN pixel (or a NaN weight) gives a non-finite step that leaves every parameter unchanged. */
async function nanStep(c: {
  where: 'input' | 'params';
  optimizer: 'sgd' | 'adam';
}): Promise<{ metrics: StepMetrics; unchanged: boolean; nextFinite: boolean }> {
  const preset = SEED_CNN;
  const params = initParams(preset, 5);
  if (c.where === 'params') params[4].tensor.data[17] = Number.NaN;
  const backend = createWebGLBackend({ preset, batchSize: 8, optimizer: { kind: c.optimizer, learningRate: 0.01, momentum: 0.9 }, params });
  try {
    const before = await backend.getParams();
    const { x, labels } = batch(preset, 8, 9);
    if (c.where === 'input') x[100] = Number.NaN;
    const metrics = await backend.trainStep(x, labels);
    const after = await backend.getParams();
    const unchanged = after.every((p, k) => p.tensor.data.every((v, i) => Object.is(v, before[k].tensor.data[i])));
    // With a clean batch the next step trains again (only for a NaN input).
    const clean = batch(preset, 8, 10);
    const next = c.where === 'input' ? await backend.trainStep(clean.x, clean.labels) : metrics;
    return { metrics, unchanged, nextFinite: next.finite };
  } finally {
    backend.dispose();
  }
}

/** Context loss through WEBGL_lose_context: listener calls, rejections afterwards, restore. */
async function contextLoss(): Promise<{
  events: boolean[];
  lostResult: boolean;
  pendingRejection: string;
  rejection: string;
  restoreResult: boolean;
  getParamsRejects: boolean;
}> {
  const preset = SEED_CNN;
  const canvas = new OffscreenCanvas(1, 1);
  const backend = createWebGLBackend({
    preset,
    batchSize: 4,
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0 },
    params: initParams(preset, 1),
    canvas,
  });
  const events: boolean[] = [];
  backend.onContextChange?.((lost) => events.push(lost));
  const { x, labels } = batch(preset, 4, 2);
  await backend.trainStep(x, labels);
  const wait = (predicate: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const start = performance.now();
      const tick = () =>
        predicate() ? resolve() : performance.now() - start > 5000 ? reject(new Error('timed out')) : setTimeout(tick, 10);
      tick();
    });
  // A step still in flight when the context goes rejects too.
  const pending = backend.trainStep(x, labels).then(
    () => 'resolved',
    (error: Error) => `${error.name}: ${error.message}`,
  );
  const lostResult = backend.simulateContextLoss?.() ?? false;
  await wait(() => events.length >= 1);
  const pendingRejection = await pending;
  const rejection = await backend.trainStep(x, labels).then(
    () => 'resolved',
    (error: Error) => `${error.name}: ${error.message}`,
  );
  const getParamsRejects = await backend.getParams().then(
    () => false,
    () => true,
  );
  const restoreResult = backend.simulateContextRestore?.() ?? false;
  await wait(() => events.length >= 2);
  backend.dispose();
  return { events, lostResult, pendingRejection, rejection, restoreResult, getParamsRejects };
}

/** What createWebGLBackend throws for a batch beyond the texture limit. */
function tooBig(c: { batchSize: number; maxTextureSize: number }): { name: string; message: string; isUnavailable: boolean } {
  try {
    createWebGLBackend({
      preset: SEED_CNN,
      batchSize: c.batchSize,
      optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0 },
      params: initParams(SEED_CNN, 1),
      maxTextureSize: c.maxTextureSize,
    }).dispose();
    return { name: 'none', message: '', isUnavailable: false };
  } catch (error) {
    const e = error as Error;
    return { name: e.name, message: e.message, isUnavailable: e instanceof WebGLUnavailableError };
  }
}

/** Images per second of trainStep after `warmup` steps, over `steps` steps with `ahead` queued. */
async function bench(c: {
  preset: 'seed' | 'overlap';
  batchSize: number;
  warmup: number;
  steps: number;
  ahead: number;
  pacing?: 'auto' | 'draw' | 'none';
  gemmRows?: 4 | 8;
}): Promise<{ imagesPerSecond: number; ms: number; deviceName: string; lastLoss: number; pacing: string; longestStepCallMs: number }> {
  const preset = PRESETS[c.preset];
  const backend: WebGLTrainingBackend = createWebGLBackend({
    preset,
    batchSize: c.batchSize,
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
    params: initParams(preset, 1),
    pacing: c.pacing,
    gemmRows: c.gemmRows,
  });
  let longestStepCallMs = 0;
  try {
    const batches = [0, 1, 2, 3].map((k) => batch(preset, c.batchSize, 60 + k));
    const run = async (count: number) => {
      const queue: Promise<StepMetrics>[] = [];
      let last: StepMetrics | null = null;
      for (let s = 0; s < count; s++) {
        const b = batches[s % batches.length];
        const t0 = performance.now();
        queue.push(backend.trainStep(b.x, b.labels));
        longestStepCallMs = Math.max(longestStepCallMs, performance.now() - t0);
        if (queue.length >= c.ahead) last = await queue.shift()!;
      }
      for (const p of queue) last = await p;
      return last;
    };
    await run(c.warmup);
    const start = performance.now();
    const last = await run(c.steps);
    const ms = performance.now() - start;
    return {
      imagesPerSecond: (c.steps * c.batchSize * 1000) / ms,
      ms,
      deviceName: backend.deviceName,
      lastLoss: last ? last.loss : Number.NaN,
      pacing: backend.pacing,
      longestStepCallMs,
    };
  } finally {
    backend.dispose();
  }
}

const api = { deviceLimits, stepParity, logitsParity, memory, nanStep, contextLoss, tooBig, bench };
export type WebGLTrainerApi = typeof api;
(globalThis as unknown as { webglTrainer: WebGLTrainerApi }).webglTrainer = api;

/** Milliseconds per op over `steps` steps (each draw synchronised), after one warm-up step. */
async function profile(c: {
  preset: 'seed' | 'overlap';
  batchSize: number;
  steps: number;
  gemmRows?: 4 | 8;
}): Promise<Record<string, number>> {
  const preset = PRESETS[c.preset];
  const times = new Map<string, number>();
  const backend = createWebGLBackend({
    preset,
    batchSize: c.batchSize,
    optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9 },
    params: initParams(preset, 1),
    profile: times,
    gemmRows: c.gemmRows,
  });
  try {
    const b = batch(preset, c.batchSize, 70);
    await backend.trainStep(b.x, b.labels);
    times.clear();
    for (let s = 0; s < c.steps; s++) await backend.trainStep(b.x, b.labels);
    const out: Record<string, number> = {};
    for (const [op, ms] of [...times].sort((a, b2) => b2[1] - a[1])) out[op] = Math.round((ms / c.steps) * 100) / 100;
    return out;
  } finally {
    backend.dispose();
  }
}
(globalThis as unknown as { webglTrainer: Record<string, unknown> }).webglTrainer.profile = profile;
