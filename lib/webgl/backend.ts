import type { BackendOptions, OptimizerSettings, StepMetrics, TrainingBackend } from '../train/backend.ts';
import type { Param } from '../train/model.ts';
import { checkParams, paramSpecs } from '../train/model.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import type { Gpu, GpuMatrix, GpuStats } from './device.ts';
import { createGpu } from './device.ts';
import { WebGLContextLostError, WebGLUnavailableError } from './errors.ts';
import type { AnyCanvas } from './probe.ts';
import { isSoftwareRenderer, openComputeContext, preferredGemmRows } from './probe.ts';
import type { ConvStage, DenseStage, FlattenStage, ModelPlan } from './model-plan.ts';
import { planModel, textureLimitProblem } from './model-plan.ts';
import { nchwToCnhw } from './cnhw.ts';
import { gemm } from './ops/gemm.ts';
import { im2colGpu } from './ops/im2col.ts';
import { col2imGpu } from './ops/col2im.ts';
import { rowSumsGpu } from './ops/row-sums.ts';
import { flattenGpu, unflattenGpu } from './ops/flatten.ts';
import { METRICS_COLS, softmaxCrossEntropyGradGpu, softmaxCrossEntropyMetricsGpu } from './ops/softmax-cross-entropy.ts';
import { sgdUpdateGpu } from './ops/sgd.ts';
import { COUNTER_COLS, adamCountGpu, adamUpdateGpu } from './ops/adam.ts';

/** createWebGLBackend's options: the contract's, plus a lower texture limit for tests (forces wrapping). */
export interface WebGLBackendOptions extends BackendOptions {
  readonly maxTextureSize?: number;
  /** Profiling only: milliseconds per op accumulate here (every draw then stalls; see GpuOptions). */
  readonly profile?: Map<string, number>;
  /**
   * How GPU work is paced so the page stays responsive (the browser's GPU process runs this
   * context's draws and the page's frames in one queue): 'draw' waits for every draw to finish
   * before issuing the next, splitting long draws into bands of about 12 ms (GpuOptions.paceMs;
   * only the calling thread blocks, so call from a worker); 'none'
   * queues a whole step freely, leaving the pacing per step to the caller (one step in flight).
   * 'auto' (default) is 'draw' on a software renderer (isSoftwareRenderer) and 'none' otherwise.
   */
  readonly pacing?: 'auto' | 'draw' | 'none';
  /** Pacing 'draw' only: milliseconds of GPU work per band (default 12; tests force tiny bands). */
  readonly paceMs?: number;
  /**
   * Rows of C each GEMM fragment computes (4 or 8; its outputs are dealt over that many layers and
   * written through that many render targets). 'auto' (default): preferredGemmRows, i.e. 8 on a
   * software renderer with 8 render targets and 4 otherwise.
   */
  readonly gemmRows?: 'auto' | 4 | 8;
}

/** The WebGL TrainingBackend, with the device's object counts for memory checks. */
export interface WebGLTrainingBackend extends TrainingBackend {
  readonly kind: 'webgl';
  /** Live textures, framebuffers, buffers and programs, and how many were ever created. */
  stats(): GpuStats;
  /** The pacing in effect ('auto' resolved): see WebGLBackendOptions.pacing. */
  readonly pacing: 'draw' | 'none';
  /** GEMM rows per fragment in effect ('auto' resolved): see WebGLBackendOptions.gemmRows. */
  readonly gemmRows: 4 | 8;
}

/** Pacing 'draw': milliseconds of GPU work per task (a frame waits behind at most about this). */
const PACE_MS = 12;
const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
/** Pixel-pack buffers made up front for metrics: steps a caller may queue without any allocation. */
const READS_AHEAD = 4;

/** The textures of one conv stage. */
interface ConvTextures {
  readonly stage: ConvStage;
  readonly cols: GpuMatrix;
  /** The output (after ReLU): the next stage's input, and the mask of the ReLU backward. */
  readonly out: GpuMatrix;
  /**
   * The gradient of the pre-activation. Whoever computes the gradient of `out` (col2im or
   * unflatten) writes it here with the ReLU backward fused in.
   */
  readonly dPre: GpuMatrix;
  /** Only for stages that pass a gradient to their input: dcols = W_rowᵀ × dPre. */
  readonly dCols: GpuMatrix | null;
}

interface DenseTextures {
  readonly stage: DenseStage;
  readonly out: GpuMatrix;
  /** The gradient of the pre-activation, written (ReLU backward fused) by the next layer's GEMM or the loss. */
  readonly dPre: GpuMatrix;
  /** The input gradient `[in, N]` when the input came from a flatten (null otherwise). */
  readonly dIn: GpuMatrix | null;
}

interface FlattenTextures {
  readonly stage: FlattenStage;
  readonly out: GpuMatrix;
}

type StageTextures = ({ kind: 'conv' } & ConvTextures) | ({ kind: 'dense' } & DenseTextures) | ({ kind: 'flatten' } & FlattenTextures);

function checkOptimizer(optimizer: OptimizerSettings): void {
  if (!optimizer || (optimizer.kind !== 'sgd' && optimizer.kind !== 'adam')) {
    throw new ConvConfigError('optimizer.kind', `optimizer.kind must be 'sgd' or 'adam', got ${describeValue(optimizer?.kind)}`);
  }
  checkLearningRate(optimizer.learningRate);
  if (optimizer.kind === 'sgd' && !(optimizer.momentum >= 0 && optimizer.momentum < 1)) {
    throw new ConvConfigError(
      'optimizer.momentum',
      `optimizer.momentum must be a number in [0, 1), got ${describeValue(optimizer.momentum)}`,
    );
  }
}

function checkLearningRate(learningRate: number): void {
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new ConvConfigError('learningRate', `learningRate must be a positive finite number, got ${describeValue(learningRate)}`);
  }
}

function defaultCanvas(): AnyCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  throw new WebGLUnavailableError('no canvas was given and OffscreenCanvas is not available');
}

/**
 * A TrainingBackend on WebGL2. Every texture is allocated here, once, for the preset and batch
 * size; a training step (upload, forward, loss, backward, update) runs entirely as fragment
 * shaders and only the 4-float metrics texel is read back, asynchronously. Activations are CNHW
 * matrices `[C, N·H·W]`, dense activations transposed `[features, N]`; parameters and the
 * optimizer state are ping-pong textures. Throws WebGLUnavailableError when WebGL2 with float
 * render targets is missing or the batch does not fit the texture limits, and ConvConfigError
 * for invalid options or parameters.
 */
export function createWebGLBackend(options: WebGLBackendOptions): WebGLTrainingBackend {
  const { preset, batchSize } = options;
  const plan: ModelPlan = planModel(preset, batchSize);
  checkOptimizer(options.optimizer);
  const pacingOption = options.pacing ?? 'auto';
  if (pacingOption !== 'auto' && pacingOption !== 'draw' && pacingOption !== 'none') {
    throw new ConvConfigError('pacing', `pacing must be 'auto', 'draw' or 'none', got ${describeValue(pacingOption)}`);
  }
  const gemmRowsOption = options.gemmRows ?? 'auto';
  if (gemmRowsOption !== 'auto' && gemmRowsOption !== 4 && gemmRowsOption !== 8) {
    throw new ConvConfigError('gemmRows', `gemmRows must be 'auto', 4 or 8, got ${describeValue(gemmRowsOption)}`);
  }
  checkParams(options.params, preset);
  const specs = paramSpecs(preset);
  const canvas = options.canvas ?? defaultCanvas();
  const opened = openComputeContext(canvas);
  if ('reason' in opened) throw new WebGLUnavailableError(opened.reason);
  const { gl, deviceName } = opened;
  const maxTextureSize = Math.min(opened.maxTextureSize, options.maxTextureSize ?? opened.maxTextureSize);
  const problem = textureLimitProblem(plan, maxTextureSize);
  if (problem) throw new WebGLUnavailableError(problem);

  const pacing = pacingOption === 'auto' ? (isSoftwareRenderer(deviceName) ? 'draw' : 'none') : pacingOption;
  if (gemmRowsOption === 8 && opened.maxDrawBuffers < 8) {
    throw new WebGLUnavailableError(`gemmRows 8 needs 8 render targets; this device offers ${opened.maxDrawBuffers}`);
  }
  // Layers of every matrix a GEMM writes: its fragments compute gemmRows rows × 4 columns.
  const gemmRows: 4 | 8 = gemmRowsOption === 'auto' ? preferredGemmRows(deviceName, opened.maxDrawBuffers) : gemmRowsOption;
  const gpu: Gpu = createGpu(gl, {
    maxTextureSize,
    profile: options.profile,
    paceMs: pacing === 'draw' ? (options.paceMs ?? PACE_MS) : undefined,
  });
  const loseContext = gl.getExtension('WEBGL_lose_context');
  const N = batchSize;
  const [C0, H0, W0] = plan.input;
  const inputFloats = N * C0 * H0 * W0;
  const K = plan.classes;
  const kind = options.optimizer.kind;
  const momentum = options.optimizer.momentum;
  let learningRate = options.optimizer.learningRate;

  // ---- every texture, once ----
  const x = gpu.matrix(C0, N * H0 * W0, 'input');
  const labels = gpu.matrix(1, N, 'labels');
  const metrics = gpu.matrix(1, METRICS_COLS, 'metrics');
  const params = plan.paramMatrices.map(([r, c], k) => [
    gpu.matrix(r, c, `${specs[k].name} (a)`),
    gpu.matrix(r, c, `${specs[k].name} (b)`),
  ]);
  // Weight gradients come from the GEMM (gemmRows layers); bias gradients from rowSums.
  const grads = plan.paramMatrices.map(([r, c], k) => gpu.matrix(r, c, `d${specs[k].name}`, specs[k].kind === 'weight' ? gemmRows : 1));
  const state1 = plan.paramMatrices.map(([r, c], k) => [
    gpu.matrix(r, c, `${specs[k].name} state1 (a)`),
    gpu.matrix(r, c, `${specs[k].name} state1 (b)`),
  ]);
  const state2 =
    kind === 'adam'
      ? plan.paramMatrices.map(([r, c], k) => [
          gpu.matrix(r, c, `${specs[k].name} state2 (a)`),
          gpu.matrix(r, c, `${specs[k].name} state2 (b)`),
        ])
      : [];
  const counter = kind === 'adam' ? [gpu.matrix(1, COUNTER_COLS, 'adam steps (a)'), gpu.matrix(1, COUNTER_COLS, 'adam steps (b)')] : [];
  const stages: StageTextures[] = [];
  let previousOut = x;
  plan.stages.forEach((stage, index) => {
    if (stage.kind === 'conv') {
      const g = stage.geometry;
      const P = N * g.OH * g.OW;
      const R = g.C * g.KH * g.KW;
      stages.push({
        kind: 'conv',
        stage,
        cols: gpu.matrix(R, P, `conv cols ${index}`),
        out: gpu.matrix(stage.outC, P, `conv out ${index}`, gemmRows),
        dPre: gpu.matrix(stage.outC, P, `conv dPre ${index}`),
        dCols: index > 0 ? gpu.matrix(R, P, `conv dcols ${index}`, gemmRows) : null,
      });
    } else if (stage.kind === 'flatten') {
      stages.push({ kind: 'flatten', stage, out: gpu.matrix(stage.C * stage.HW, N, 'flatten') });
    } else {
      // dPre is written by the next dense layer's GEMM (gemmRows layers), or for the last layer by the loss.
      const last = index === plan.stages.length - 1;
      stages.push({
        kind: 'dense',
        stage,
        out: gpu.matrix(stage.out, N, `dense out ${index}`, gemmRows),
        dPre: gpu.matrix(stage.out, N, `dense dPre ${index}`, last ? 1 : gemmRows),
        // Its input gradient needs a texture of its own only after a flatten of a conv's output
        // (then unflattened); otherwise the GEMM writes straight into the previous dense layer's
        // dPre, or there is nothing to pass back (a flatten of the input itself).
        dIn: index > 1 && plan.stages[index - 1].kind === 'flatten' ? gpu.matrix(stage.in, N, `dense dIn ${index}`, gemmRows) : null,
      });
    }
    previousOut = stages[stages.length - 1].out;
  });
  const logitsT = previousOut;
  const inputStaging = new Float32Array(inputFloats);
  const labelStaging = new Float32Array(N);
  let cur = 0;
  let lost = false;
  let disposed = false;
  const listeners: ((lost: boolean) => void)[] = [];

  function uploadParams(list: readonly Param[]): void {
    list.forEach((p, k) => gpu.upload(params[k][cur], p.tensor.data));
  }

  function clearState(): void {
    const zero = (m: GpuMatrix) => gpu.upload(m, new Float32Array(m.rows * m.cols));
    for (const pair of state1) zero(pair[cur]);
    for (const pair of state2) zero(pair[cur]);
    if (counter.length) zero(counter[cur]);
  }

  uploadParams(options.params);
  // Metrics of up to READS_AHEAD queued steps are read back at once, each into its own buffer.
  gpu.reserveReads(metrics, READS_AHEAD);
  // The optimizer draws into (param, state…) pairs, alternating between the two copies: make both
  // framebuffers now, so that training allocates nothing after the first step.
  for (const parity of [0, 1]) {
    params.forEach((p, k) =>
      gpu.prepareTarget(kind === 'sgd' ? [p[parity], state1[k][parity]] : [p[parity], state1[k][parity], state2[k][parity]]),
    );
  }

  function uploadInput(data: Float32Array, n: number): void {
    if (C0 === 1 && n === N) {
      gpu.upload(x, data.length === inputFloats ? data : data.subarray(0, inputFloats));
      return;
    }
    inputStaging.fill(0);
    if (C0 === 1) inputStaging.set(data.subarray(0, n * H0 * W0));
    else {
      const padded = new Float32Array(inputFloats);
      padded.set(data.subarray(0, n * C0 * H0 * W0));
      nchwToCnhw(padded, [N, C0, H0, W0], inputStaging);
    }
    gpu.upload(x, inputStaging);
  }

  function forwardPass(): void {
    let input = x;
    for (const s of stages) {
      if (s.kind === 'conv') {
        const w = params[s.stage.param][cur];
        const b = params[s.stage.param + 1][cur];
        im2colGpu(gpu, input, s.stage.geometry, s.cols);
        gemm(gpu, w, s.cols, s.out, { bias: b, relu: s.stage.relu });
      } else if (s.kind === 'flatten') {
        flattenGpu(gpu, input, s.stage.HW, s.out);
      } else {
        const w = params[s.stage.param][cur];
        const b = params[s.stage.param + 1][cur];
        gemm(gpu, w, input, s.out, { bias: b, relu: s.stage.relu });
      }
      input = s.out;
    }
  }

  /**
   * Where the gradient of stage j's output goes: its dPre, with the ReLU backward fused in by
   * whoever computes it (mask = the stage's output), or as is when the stage has no ReLU.
   */
  function gradientTarget(j: number): { target: GpuMatrix; mask: GpuMatrix | null } {
    const s = stages[j] as ({ kind: 'conv' } & ConvTextures) | ({ kind: 'dense' } & DenseTextures);
    return { target: s.dPre, mask: s.stage.relu ? s.out : null };
  }

  function backwardPass(): void {
    // The last stage's dPre is the loss gradient (the last layer has no ReLU; see presetShapes).
    // The first trainable stage (after a flatten of the input, when the model starts with one)
    // passes no gradient back: nothing before it learns.
    const first = stages[0].kind === 'flatten' ? 1 : 0;
    for (let i = stages.length - 1; i >= first; i--) {
      const s = stages[i];
      const input = i > 0 ? stages[i - 1].out : x;
      if (s.kind === 'flatten') {
        // The gradient arriving here is the first dense layer's dIn [C·HW, N]; fold it back to CNHW.
        const next = stages[i + 1] as { kind: 'dense' } & DenseTextures;
        const { target, mask } = gradientTarget(i - 1);
        if (next.dIn) unflattenGpu(gpu, next.dIn, s.stage.HW, target, mask);
        continue;
      }
      const w = params[s.stage.param][cur];
      const dw = grads[s.stage.param];
      const db = grads[s.stage.param + 1];
      gemm(gpu, s.dPre, s.kind === 'conv' ? s.cols : input, dw, { transB: true });
      rowSumsGpu(gpu, s.dPre, db);
      if (i === first) continue;
      if (s.kind === 'conv') {
        const { target, mask } = gradientTarget(i - 1);
        if (s.dCols) {
          gemm(gpu, w, s.dPre, s.dCols, { transA: true });
          col2imGpu(gpu, s.dCols, s.stage.geometry, target, mask);
        }
      } else if (s.dIn) {
        gemm(gpu, w, s.dPre, s.dIn, { transA: true });
      } else {
        const { target, mask } = gradientTarget(i - 1);
        gemm(gpu, w, s.dPre, target, { transA: true, reluMask: mask });
      }
    }
  }

  function update(): void {
    const nxt = 1 - cur;
    params.forEach((p, k) => {
      if (kind === 'sgd') {
        sgdUpdateGpu(
          gpu,
          { param: p[cur], velocity: state1[k][cur], grad: grads[k], nextParam: p[nxt], nextVelocity: state1[k][nxt] },
          metrics,
          learningRate,
          momentum,
        );
      } else {
        adamUpdateGpu(
          gpu,
          {
            param: p[cur],
            m: state1[k][cur],
            v: state2[k][cur],
            grad: grads[k],
            nextParam: p[nxt],
            nextM: state1[k][nxt],
            nextV: state2[k][nxt],
          },
          metrics,
          counter[cur],
          { lr: learningRate, ...ADAM },
        );
      }
    });
    if (kind === 'adam') adamCountGpu(gpu, counter[cur], metrics, counter[nxt]);
    cur = nxt;
  }

  function toMetrics(texel: Float32Array): StepMetrics {
    const [lossSum, correct, flag] = texel;
    if (flag !== 0) {
      return { loss: flag === 2 ? Number.NaN : Number.POSITIVE_INFINITY, correct: 0, count: N, finite: false };
    }
    const loss = lossSum / N;
    return { loss, correct: Math.round(correct), count: N, finite: Number.isFinite(loss) };
  }

  /** A rejection handler: a read that failed because the context was lost says so clearly. */
  function lostOr(operation: string): (error: unknown) => never {
    return (error) => {
      if (lost || gl.isContextLost()) throw new WebGLContextLostError(operation);
      throw error;
    };
  }

  /** Runs `body` unless the backend is unusable; turns throws into rejections. */
  function guarded<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (disposed) return Promise.reject(new Error(`${operation}: the WebGL backend was disposed`));
    if (lost || gl.isContextLost()) return Promise.reject(new WebGLContextLostError(operation));
    try {
      return body();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function checkBatch(data: Float32Array, n: number, parameter: string): void {
    if (!(data instanceof Float32Array) || data.length < n * C0 * H0 * W0) {
      throw new ConvConfigError(
        parameter,
        `${parameter} must be a Float32Array of ${n}·${C0 * H0 * W0} = ${n * C0 * H0 * W0} floats, got ${data instanceof Float32Array ? data.length : describeValue(data)}`,
      );
    }
  }

  const onLost = (event: Event) => {
    event.preventDefault();
    lost = true;
    gpu.failPending(new WebGLContextLostError('a pending read'));
    for (const listener of listeners) listener(true);
  };
  const onRestored = () => {
    for (const listener of listeners) listener(false);
  };
  canvas.addEventListener('webglcontextlost', onLost as EventListener);
  canvas.addEventListener('webglcontextrestored', onRestored as EventListener);

  const backend: WebGLTrainingBackend = {
    kind: 'webgl',
    deviceName,
    batchSize: N,
    trainStep(data, labelList) {
      return guarded('trainStep', () => {
        checkBatch(data, N, 'x');
        if (!labelList || labelList.length !== N) {
          throw new ConvConfigError(
            'labels',
            `labels must hold one class per example (${N}), got ${labelList ? labelList.length : describeValue(labelList)}`,
          );
        }
        for (let n = 0; n < N; n++) {
          const label = labelList[n];
          if (!Number.isInteger(label) || label < 0 || label >= K)
            throw new ConvConfigError('labels', `labels[${n}] must be a class in [0, ${K}), got ${label}`);
          labelStaging[n] = label;
        }
        uploadInput(data, N);
        gpu.upload(labels, labelStaging);
        forwardPass();
        softmaxCrossEntropyMetricsGpu(gpu, logitsT, labels, metrics);
        softmaxCrossEntropyGradGpu(gpu, logitsT, labels, (stages[stages.length - 1] as { dPre: GpuMatrix }).dPre);
        backwardPass();
        update();
        return gpu.readAsync(metrics).then(toMetrics, lostOr('trainStep'));
      });
    },
    logits(data, n) {
      return guarded('logits', () => {
        if (!Number.isInteger(n) || n < 1 || n > N) {
          throw new ConvConfigError('n', `n must be an integer in [1, ${N}] (the batch size), got ${describeValue(n)}`);
        }
        checkBatch(data, n, 'x');
        uploadInput(data, n);
        forwardPass();
        return gpu.readAsync(logitsT).then((t: Float32Array) => {
          const out = new Float32Array(n * K);
          for (let e = 0; e < n; e++) for (let k = 0; k < K; k++) out[e * K + k] = t[k * N + e];
          return out;
        }, lostOr('logits'));
      });
    },
    getParams() {
      return guarded('getParams', () =>
        Promise.all(params.map((p) => gpu.readAsync(p[cur]))).then(
          (list) => list.map((data, k) => ({ name: specs[k].name, tensor: { shape: [...specs[k].shape], data } })),
          lostOr('getParams'),
        ),
      );
    },
    setParams(list) {
      return guarded('setParams', () => {
        checkParams(list, preset);
        uploadParams(list);
        clearState();
        return Promise.resolve();
      });
    },
    setLearningRate(value) {
      checkLearningRate(value);
      learningRate = value;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      canvas.removeEventListener('webglcontextlost', onLost as EventListener);
      canvas.removeEventListener('webglcontextrestored', onRestored as EventListener);
      if (!gl.isContextLost()) gpu.dispose();
      else gpu.failPending(new Error('the WebGL backend was disposed'));
    },
    onContextChange(listener) {
      listeners.push(listener);
    },
    simulateContextLoss() {
      if (!loseContext || gl.isContextLost()) return false;
      loseContext.loseContext();
      return true;
    },
    simulateContextRestore() {
      if (!loseContext || !gl.isContextLost()) return false;
      loseContext.restoreContext();
      return true;
    },
    stats: () => gpu.stats(),
    pacing,
    gemmRows,
    preferredQueueDepth: pacing === 'draw' ? 1 : 3,
  };
  return backend;
}
