import { ConvConfigError, describeValue } from '../errors.ts';
import type { BackendOptions, OptimizerSettings, StepMetrics, TrainingBackend } from './backend.ts';
import type { ModelPreset, Param } from './model.ts';
import { checkParams, forward } from './model.ts';
import type { Optimizer } from './optimizer.ts';
import { createAdam, createSgd } from './optimizer.ts';
import { trainStep } from './train-step.ts';
import { gemmKernel } from '../gemm.ts';

/** The largest batch the CPU backend accepts. */
export const CPU_MAX_BATCH = 1024;

/** The device name the CPU backend reports, before the GEMM kernel it runs on (cpuDeviceName). */
export const CPU_DEVICE_NAME = 'CPU (JavaScript engine)';

/** The CPU backend's device name with its GEMM kernel, e.g. `CPU (JavaScript engine), WebAssembly SIMD GEMM`. */
export function cpuDeviceName(): string {
  return `${CPU_DEVICE_NAME}, ${gemmKernel() === 'wasm' ? 'WebAssembly SIMD' : 'JavaScript'} GEMM`;
}

function copyParams(params: readonly Param[]): Param[] {
  return params.map((p) => ({ name: p.name, tensor: { shape: [...p.tensor.shape], data: Float32Array.from(p.tensor.data) } }));
}

function createOptimizer(settings: OptimizerSettings, learningRate: number): Optimizer {
  if (settings?.kind === 'sgd') return createSgd({ lr: learningRate, momentum: settings.momentum });
  if (settings?.kind === 'adam') return createAdam({ lr: learningRate });
  throw new ConvConfigError('optimizer.kind', `optimizer.kind must be "sgd" or "adam", got ${describeValue(settings?.kind)}`);
}

function inputSize(preset: ModelPreset): number {
  return preset.input[0] * preset.input[1] * preset.input[2];
}

/**
 * A TrainingBackend on the CPU engine (lib/train's forward, backward and trainStep), for a Web
 * Worker when WebGL2 is unavailable and as the reference the GPU backend is tested against. It
 * copies `options.params`; every step runs synchronously inside `trainStep` (the returned promise
 * is already settled), so a caller that queues steps gains nothing but loses nothing either.
 * Throws ConvConfigError for a batch size that is not an integer in [1, 1024], parameters that do
 * not fit the preset, or bad optimizer settings.
 */
export function createCpuBackend(options: BackendOptions): TrainingBackend {
  const { preset, batchSize, optimizer: optimizerSettings } = options;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > CPU_MAX_BATCH) {
    throw new ConvConfigError('batchSize', `batchSize must be an integer in [1, ${CPU_MAX_BATCH}], got ${describeValue(batchSize)}`);
  }
  checkParams(options.params, preset);
  let learningRate = optimizerSettings?.learningRate;
  let optimizer = createOptimizer(optimizerSettings, learningRate);
  let params: Param[] | null = copyParams(options.params);
  const [C, H, W] = preset.input;
  const perImage = inputSize(preset);

  const live = (): Param[] => {
    if (!params) throw new ConvConfigError('backend', 'the CPU backend was disposed; create a new one');
    return params;
  };

  const checkImages = (x: Float32Array, n: number): void => {
    if (!(x instanceof Float32Array) || x.length !== n * perImage) {
      throw new ConvConfigError(
        'x',
        `x must be a Float32Array of ${n}·${perImage} = ${n * perImage} floats, got ${x instanceof Float32Array ? x.length : describeValue(x)}`,
      );
    }
  };

  return {
    kind: 'cpu',
    deviceName: cpuDeviceName(),
    batchSize,
    async trainStep(x: Float32Array, labels: Uint8Array): Promise<StepMetrics> {
      const current = live();
      checkImages(x, batchSize);
      if (!labels || labels.length !== batchSize) {
        throw new ConvConfigError(
          'labels',
          `labels must hold ${batchSize} labels (one per image), got ${labels ? labels.length : describeValue(labels)}`,
        );
      }
      const result = trainStep(current, { shape: [batchSize, C, H, W], data: x }, labels, preset, optimizer);
      return { loss: result.loss, correct: Math.round(result.accuracy * batchSize), count: batchSize, finite: result.finite };
    },
    async logits(x: Float32Array, n: number): Promise<Float32Array> {
      const current = live();
      if (!Number.isInteger(n) || n < 1 || n > batchSize) {
        throw new ConvConfigError('n', `n must be an integer in [1, ${batchSize}] (the batch size), got ${describeValue(n)}`);
      }
      checkImages(x, n);
      return forward(current, { shape: [n, C, H, W], data: x }, preset).logits.data;
    },
    async getParams(): Promise<Param[]> {
      return copyParams(live());
    },
    async setParams(next: readonly Param[]): Promise<void> {
      live();
      checkParams(next, preset);
      params = copyParams(next);
      optimizer = createOptimizer(optimizerSettings, learningRate);
    },
    setLearningRate(lr: number): void {
      optimizer.setLearningRate(lr);
      learningRate = lr;
    },
    dispose(): void {
      params = null;
    },
  };
}
