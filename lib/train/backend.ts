import type { ModelPreset, Param } from './model.ts';

/** Where the training math runs: WebGL2 fragment shaders on the GPU, or the CPU engine. */
export type BackendKind = 'webgl' | 'cpu';

/** The optimizer a session trains with; `momentum` is used by SGD only. */
export interface OptimizerSettings {
  readonly kind: 'sgd' | 'adam';
  readonly learningRate: number;
  readonly momentum: number;
}

/** What one training step reports back (computed before that step's update). */
export interface StepMetrics {
  /** Mean softmax cross-entropy over the batch (NaN or ±Infinity when it was not finite). */
  readonly loss: number;
  /** Examples of the batch classified correctly. */
  readonly correct: number;
  /** Examples in the batch. */
  readonly count: number;
  /** False when the loss was NaN or infinite; the update was then not applied. */
  readonly finite: boolean;
}

/**
 * One model's trainer on one backend, allocated once for a preset and a batch size.
 * Images are NCHW `[N, 1, 28, 28]` floats in [0, 1], labels integers 0..9.
 * `trainStep` may return before the step has run on the device: a caller may queue several steps
 * and await their metrics later (the WebGL backend reads metrics back asynchronously).
 */
export interface TrainingBackend {
  readonly kind: BackendKind;
  /** A human-readable device name: the GPU's renderer string, or "CPU (JavaScript engine)". */
  readonly deviceName: string;
  /** The batch size every trainStep uses; textures and buffers are sized for it. */
  readonly batchSize: number;
  /**
   * Steps worth keeping queued (default 1): a fast GPU pipelines better with a few in flight; a
   * paced software renderer wants one, so the page's frames never wait behind a queue of steps.
   */
  readonly preferredQueueDepth?: number;
  /** One forward + backward + update on a full batch (`x` has batchSize·784 floats). */
  trainStep(x: Float32Array, labels: Uint8Array): Promise<StepMetrics>;
  /** Logits `[n, classes]` (row-major) for `n ≤ batchSize` images `x` (n·784 floats). */
  logits(x: Float32Array, n: number): Promise<Float32Array>;
  /** A copy of the current parameters, in paramSpecs order. */
  getParams(): Promise<Param[]>;
  /** Replaces the parameters (e.g. from a checkpoint) and clears the optimizer state. */
  setParams(params: readonly Param[]): Promise<void>;
  /** Changes the learning rate for the following steps (the optimizer state is kept). */
  setLearningRate(learningRate: number): void;
  /** Frees every texture, buffer and program (WebGL) or array (CPU). */
  dispose(): void;
  /** WebGL only: `listener(true)` when the context is lost, `listener(false)` when it is restored. */
  onContextChange?(listener: (lost: boolean) => void): void;
  /** WebGL only: loses the context on purpose through WEBGL_lose_context (fault drills); false if unsupported. */
  simulateContextLoss?(): boolean;
  /** WebGL only: restores a context lost by simulateContextLoss; false if unsupported. */
  simulateContextRestore?(): boolean;
}

/**
 * How to build a backend. `params` are the starting parameters (paramSpecs order; the backend
 * copies them); `canvas` is where a WebGL backend creates its context (an OffscreenCanvas in a
 * worker); the CPU backend ignores it.
 */
export interface BackendOptions {
  readonly preset: ModelPreset;
  readonly batchSize: number;
  readonly optimizer: OptimizerSettings;
  readonly params: readonly Param[];
  readonly canvas?: OffscreenCanvas | HTMLCanvasElement;
}
