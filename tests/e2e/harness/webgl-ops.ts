/**
 * Browser harness for tests/e2e/webgl-ops.spec.ts: runs one GPU op on random data from a seeded
 * generator and compares it with the CPU engine's op. Bundled by the spec with esbuild (iife) and
 * exposed as `window.webglOps`.
 */
import { createRng, randomUniform } from '../../../lib/random.ts';
import { deviceLimits } from './device-limits.ts';
import type { Rng } from '../../../lib/random.ts';
import { convGeometry } from '../../../lib/geometry.ts';
import { im2col } from '../../../lib/im2col/im2col.ts';
import { col2im } from '../../../lib/im2col/col2im.ts';
import { matmul } from '../../../lib/gemm.ts';
import { relu, reluBackward } from '../../../lib/ops/relu.ts';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from '../../../lib/ops/softmax-cross-entropy.ts';
import { createAdam, createSgd } from '../../../lib/train/optimizer.ts';
import type { Gpu, GpuMatrix } from '../../../lib/webgl/index.ts';
import {
  adamCountGpu,
  adamUpdateGpu,
  biasReluGpu,
  cnhwToNchw,
  col2imGpu,
  createGpu,
  flattenGpu,
  gemm,
  im2colGpu,
  nchwToCnhw,
  openComputeContext,
  probeWebGL,
  reluBackwardGpu,
  rowSumsGpu,
  sgdUpdateGpu,
  softmaxCrossEntropyGradGpu,
  softmaxCrossEntropyMetricsGpu,
  transposeGpu,
  unflattenGpu,
} from '../../../lib/webgl/index.ts';

/** How far the GPU result is from the CPU reference: max |gpu − cpu| / max(1, max |cpu|). */
export interface Comparison {
  readonly error: number;
  readonly size: number;
  readonly detail?: string;
}

/** max |gpu − cpu| / max(1, max |cpu|), where NaN matches only NaN. */
function relativeError(gpu: Float32Array, cpu: Float32Array): number {
  if (gpu.length !== cpu.length) return Number.POSITIVE_INFINITY;
  let diff = 0;
  let scale = 1;
  for (let k = 0; k < cpu.length; k++) {
    const d = Number.isNaN(gpu[k]) && Number.isNaN(cpu[k]) ? 0 : Math.abs(gpu[k] - cpu[k]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    if (Math.abs(cpu[k]) > scale) scale = Math.abs(cpu[k]);
  }
  return diff / scale;
}

const gpus = new Map<number, Gpu>();
let gl: WebGL2RenderingContext | null = null;

/** One context for the page; one device layer per texture limit (a small limit forces wrapping). */
function device(maxTextureSize = 0): Gpu {
  if (!gl) {
    const opened = openComputeContext(new OffscreenCanvas(1, 1));
    if ('reason' in opened) throw new Error(opened.reason);
    gl = opened.gl;
  }
  let gpu = gpus.get(maxTextureSize);
  if (!gpu) {
    gpu = createGpu(gl, maxTextureSize > 0 ? { maxTextureSize } : {});
    gpus.set(maxTextureSize, gpu);
  }
  return gpu;
}

function uploaded(gpu: Gpu, rows: number, cols: number, data: Float32Array, made: GpuMatrix[], layers = 1): GpuMatrix {
  const m = gpu.matrix(rows, cols, `input ${rows}×${cols}`, layers);
  gpu.upload(m, data);
  made.push(m);
  return m;
}

function blank(gpu: Gpu, rows: number, cols: number, made: GpuMatrix[], layers = 1): GpuMatrix {
  const m = gpu.matrix(rows, cols, `output ${rows}×${cols}`, layers);
  made.push(m);
  return m;
}

function random(length: number, rng: Rng): Float32Array {
  return randomUniform([length], rng).data;
}

/** Runs `body` with a fresh list of matrices, freed afterwards; checks for GL errors. */
function withMatrices(maxTextureSize: number | undefined, body: (gpu: Gpu, made: GpuMatrix[]) => Comparison): Comparison {
  const gpu = device(maxTextureSize);
  const made: GpuMatrix[] = [];
  try {
    const result = body(gpu, made);
    const glError = gpu.gl.getError();
    if (glError !== gpu.gl.NO_ERROR) return { ...result, error: Number.POSITIVE_INFINITY, detail: `GL error 0x${glError.toString(16)}` };
    const wrapped = made.filter((m) => m.layout.wrapped).length;
    return { ...result, detail: `${result.detail ?? ''}${wrapped ? ` wrapped:${wrapped}` : ''}` };
  } finally {
    for (const m of made) gpu.free(m);
  }
}

/** A convolution case: input `[N, C, H, W]`, kernel `k`, stride, padding, dilation (pairs allowed). */
export interface ConvCase {
  readonly shape: [number, number, number, number];
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly seed: number;
  readonly maxTextureSize?: number;
  /** Layers of the input matrix (4 or 8: as a GEMM output, rows dealt over that many layers). */
  readonly layers?: number;
  /** col2im only: fuse a ReLU backward with a random mask `[C, N·H·W]` in 4 layers. */
  readonly mask?: boolean;
}

/** A random ReLU output to mask with: about a third of the entries exactly 0. */
function randomMask(length: number, rng: Rng): Float32Array {
  return random(length, rng).map((v) => (v < -0.33 ? 0 : v + 0.34));
}

/** `data ⊙ [mask > 0]`, the CPU reference of a fused ReLU backward. */
function masked(data: Float32Array, mask: Float32Array): Float32Array {
  return data.map((v, k) => (mask[k] > 0 ? v : 0));
}

function im2colCase(c: ConvCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const rng = createRng(c.seed);
    const x = randomUniform(c.shape, rng);
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const g = convGeometry(c.shape, c.kernel, opts);
    const cpu = im2col(x, c.kernel, opts);
    const [N, C, H, W] = c.shape;
    const xg = uploaded(gpu, C, N * H * W, nchwToCnhw(x.data, c.shape), made, c.layers);
    const out = blank(gpu, cpu.shape[0], cpu.shape[1], made);
    im2colGpu(gpu, xg, g, out);
    return { error: relativeError(gpu.readSync(out), cpu.data), size: cpu.data.length };
  });
}

function col2imCase(c: ConvCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const rng = createRng(c.seed);
    const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation };
    const g = convGeometry(c.shape, c.kernel, opts);
    const [N, C, H, W] = c.shape;
    const rows = C * c.kernel[0] * c.kernel[1];
    const columns = N * g.OH * g.OW;
    const dcols = { shape: [rows, columns], data: random(rows * columns, rng) };
    const cpu = col2im(dcols, c.shape, c.kernel, opts);
    const dg = uploaded(gpu, rows, columns, dcols.data, made, c.layers);
    const out = blank(gpu, C, N * H * W, made);
    const maskCnhw = c.mask ? randomMask(N * C * H * W, rng) : null;
    col2imGpu(gpu, dg, g, out, maskCnhw ? uploaded(gpu, C, N * H * W, maskCnhw, made, 4) : null);
    const expected = maskCnhw ? masked(cpu.data, cnhwToNchw(maskCnhw, c.shape)) : cpu.data;
    const gpuNchw = cnhwToNchw(gpu.readSync(out), c.shape);
    return { error: relativeError(gpuNchw, expected), size: cpu.data.length };
  });
}

/** A GEMM case: `A [M, K] × op(B)`, B stored `[K, N]` or `[N, K]` (transB), optional bias + ReLU. */
export interface GemmCase {
  /** A stored `[K, M]` and read transposed. */
  readonly transA?: boolean;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly transB: boolean;
  readonly bias: boolean;
  readonly relu: boolean;
  readonly seed: number;
  readonly maxTextureSize?: number;
  /** Layers of the output (4 or 8: the 4- or 8-row kernel) and of the inputs. */
  readonly outLayers?: number;
  readonly inLayers?: number;
  /** Multiply the result by `[mask > 0]` for a random mask (a fused ReLU backward). */
  readonly reluMask?: boolean;
}

function gemmCase(c: GemmCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const rng = createRng(c.seed);
    const a = { shape: c.transA ? [c.K, c.M] : [c.M, c.K], data: random(c.M * c.K, rng) };
    const b = { shape: c.transB ? [c.N, c.K] : [c.K, c.N], data: random(c.K * c.N, rng) };
    const bias = random(c.M, rng);
    let cpu = matmul(a, b, { transA: c.transA, transB: c.transB });
    if (c.bias) for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) cpu.data[i * c.N + j] += bias[i];
    if (c.relu) cpu = relu(cpu);
    const mask = c.reluMask ? randomMask(c.M * c.N, rng) : null;
    if (mask) cpu = { shape: cpu.shape, data: masked(cpu.data, mask) };
    const ag = uploaded(gpu, a.shape[0], a.shape[1], a.data, made, c.inLayers);
    const bg = uploaded(gpu, b.shape[0], b.shape[1], b.data, made, c.inLayers);
    const biasG = c.bias ? uploaded(gpu, 1, c.M, bias, made) : null;
    const out = blank(gpu, c.M, c.N, made, c.outLayers);
    const maskG = mask ? uploaded(gpu, c.M, c.N, mask, made, 4) : null;
    gemm(gpu, ag, bg, out, { transA: c.transA, transB: c.transB, bias: biasG, relu: c.relu, reluMask: maskG });
    return { error: relativeError(gpu.readSync(out), cpu.data), size: cpu.data.length };
  });
}

/** A matrix case for the elementwise and reshaping ops. */
export interface MatrixCase {
  readonly rows: number;
  readonly cols: number;
  readonly seed: number;
  readonly maxTextureSize?: number;
  /** Layers of the input matrices. */
  readonly layers?: number;
}

function transposeCase(c: MatrixCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const x = random(c.rows * c.cols, createRng(c.seed));
    const cpu = new Float32Array(x.length);
    for (let i = 0; i < c.rows; i++) for (let j = 0; j < c.cols; j++) cpu[j * c.rows + i] = x[i * c.cols + j];
    const out = blank(gpu, c.cols, c.rows, made);
    transposeGpu(gpu, uploaded(gpu, c.rows, c.cols, x, made, c.layers), out);
    return { error: relativeError(gpu.readSync(out), cpu), size: cpu.length };
  });
}

function biasReluCase(c: MatrixCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const rng = createRng(c.seed);
    const x = random(c.rows * c.cols, rng);
    const bias = random(c.rows, rng);
    x[Math.floor(x.length / 2)] = Number.NaN; // ReLU must let NaN through, as lib/ops/relu does
    const pre = new Float32Array(x.length);
    for (let i = 0; i < c.rows; i++) for (let j = 0; j < c.cols; j++) pre[i * c.cols + j] = x[i * c.cols + j] + bias[i];
    const cpu = relu({ shape: [c.rows, c.cols], data: pre });
    const out = blank(gpu, c.rows, c.cols, made);
    biasReluGpu(gpu, uploaded(gpu, c.rows, c.cols, x, made, c.layers), uploaded(gpu, 1, c.rows, bias, made), out);
    return { error: relativeError(gpu.readSync(out), cpu.data), size: x.length };
  });
}

function reluBackwardCase(c: MatrixCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const rng = createRng(c.seed);
    const dy = random(c.rows * c.cols, rng);
    const a = random(c.rows * c.cols, rng);
    for (let k = 0; k < a.length; k += 7) a[k] = 0; // exact zeros: the gradient must be 0 there
    const shape = [c.rows, c.cols];
    const cpu = reluBackward({ shape, data: dy }, { shape, data: a });
    const out = blank(gpu, c.rows, c.cols, made);
    reluBackwardGpu(gpu, uploaded(gpu, c.rows, c.cols, dy, made, c.layers), uploaded(gpu, c.rows, c.cols, a, made, c.layers), out);
    return { error: relativeError(gpu.readSync(out), cpu.data), size: dy.length };
  });
}

function rowSumsCase(c: MatrixCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const x = random(c.rows * c.cols, createRng(c.seed));
    const cpu = new Float32Array(c.rows);
    for (let i = 0; i < c.rows; i++) {
      let s = 0;
      for (let j = 0; j < c.cols; j++) s += x[i * c.cols + j];
      cpu[i] = s;
    }
    const out = blank(gpu, 1, c.rows, made);
    rowSumsGpu(gpu, uploaded(gpu, c.rows, c.cols, x, made, c.layers), out);
    return { error: relativeError(gpu.readSync(out), cpu), size: c.rows };
  });
}

/** A flatten case: a CNHW activation of N examples, C channels, HW pixels each. */
export interface FlattenCase {
  readonly layers?: number;
  /** Unflatten with a fused ReLU backward (random mask). */
  readonly mask?: boolean;
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly seed: number;
  readonly maxTextureSize?: number;
}

function flattenCase(c: FlattenCase): Comparison {
  return withMatrices(c.maxTextureSize, (gpu, made) => {
    const shape: [number, number, number, number] = [c.N, c.C, c.H, c.W];
    const hw = c.H * c.W;
    const nchw = random(c.N * c.C * hw, createRng(c.seed));
    // The CPU flatten of NCHW is [N, C·H·W]; the GPU keeps its transpose [C·H·W, N].
    const cpu = new Float32Array(nchw.length);
    const F = c.C * hw;
    for (let n = 0; n < c.N; n++) for (let f = 0; f < F; f++) cpu[f * c.N + n] = nchw[n * F + f];
    const x = uploaded(gpu, c.C, c.N * hw, nchwToCnhw(nchw, shape), made, c.layers);
    const flat = blank(gpu, F, c.N, made);
    flattenGpu(gpu, x, hw, flat);
    const back = blank(gpu, c.C, c.N * hw, made);
    const mask = c.mask ? randomMask(c.C * c.N * hw, createRng(c.seed + 1)) : null;
    unflattenGpu(gpu, flat, hw, back, mask ? uploaded(gpu, c.C, c.N * hw, mask, made, 4) : null);
    const forward = relativeError(gpu.readSync(flat), cpu);
    const inverse = relativeError(cnhwToNchw(gpu.readSync(back), shape), mask ? masked(nchw, cnhwToNchw(mask, shape)) : nchw);
    return { error: Math.max(forward, inverse), size: nchw.length, detail: `flatten ${forward} unflatten ${inverse}` };
  });
}

/** A softmax cross-entropy case: N examples, K classes, logits scaled by `scale`. */
export interface SoftmaxCase {
  readonly N: number;
  readonly K: number;
  readonly scale: number;
  readonly seed: number;
  /** Puts this value (NaN, Infinity) into one logit. */
  readonly poison?: 'nan' | 'inf';
}

function softmaxCase(c: SoftmaxCase): Comparison & { loss: number; correct: number; flag: number; cpuLoss: number; cpuCorrect: number } {
  const gpu = device();
  const made: GpuMatrix[] = [];
  try {
    const rng = createRng(c.seed);
    const logits = random(c.N * c.K, rng).map((v) => v * c.scale);
    const labels = Array.from({ length: c.N }, () => Math.floor(rng() * c.K));
    if (c.poison) logits[Math.floor(c.N / 2) * c.K + 1] = c.poison === 'nan' ? Number.NaN : Number.POSITIVE_INFINITY;
    const logitsT = new Float32Array(logits.length);
    for (let n = 0; n < c.N; n++) for (let k = 0; k < c.K; k++) logitsT[k * c.N + n] = logits[n * c.K + k];
    const lg = uploaded(gpu, c.K, c.N, logitsT, made);
    const yg = uploaded(gpu, 1, c.N, Float32Array.from(labels), made);
    const metrics = blank(gpu, 1, 4, made);
    softmaxCrossEntropyMetricsGpu(gpu, lg, yg, metrics);
    const [lossSum, correct, flag] = gpu.readSync(metrics);
    if (c.poison) return { error: 0, size: 0, loss: lossSum / c.N, correct, flag, cpuLoss: Number.NaN, cpuCorrect: 0 };
    const grad = blank(gpu, c.K, c.N, made);
    softmaxCrossEntropyGradGpu(gpu, lg, yg, grad);
    const { loss, probs } = softmaxCrossEntropy({ shape: [c.N, c.K], data: logits }, labels);
    const cpuGrad = softmaxCrossEntropyBackward(probs, labels).data;
    const gpuGrad = gpu.readSync(grad);
    const gpuGradNK = new Float32Array(gpuGrad.length);
    for (let n = 0; n < c.N; n++) for (let k = 0; k < c.K; k++) gpuGradNK[n * c.K + k] = gpuGrad[k * c.N + n];
    let cpuCorrect = 0;
    for (let n = 0; n < c.N; n++) {
      let best = 0;
      for (let k = 1; k < c.K; k++) if (logits[n * c.K + k] > logits[n * c.K + best]) best = k;
      if (best === labels[n]) cpuCorrect++;
    }
    return {
      error: relativeError(gpuGradNK, cpuGrad),
      size: cpuGrad.length,
      loss: lossSum / c.N,
      correct,
      flag,
      cpuLoss: loss,
      cpuCorrect,
    };
  } finally {
    for (const m of made) gpu.free(m);
  }
}

/** An optimizer case: a few steps on one `[rows, cols]` parameter; `poisonStep` feeds a NaN metric. */
export interface OptimizerCase {
  readonly kind: 'sgd' | 'adam';
  readonly rows: number;
  readonly cols: number;
  readonly steps: number;
  readonly lr: number;
  readonly momentum: number;
  readonly seed: number;
  readonly poisonStep?: number;
  /** Layers of the gradient (4 when it comes from the GEMM). */
  readonly gradLayers?: number;
}

function optimizerCase(c: OptimizerCase): Comparison {
  return withMatrices(undefined, (gpu, made) => {
    const rng = createRng(c.seed);
    const size = c.rows * c.cols;
    const p0 = random(size, rng);
    const grads = Array.from({ length: c.steps }, () => random(size, rng));
    const cpuParam = Float32Array.from(p0);
    const opt = c.kind === 'sgd' ? createSgd({ lr: c.lr, momentum: c.momentum }) : createAdam({ lr: c.lr });
    grads.forEach((g, step) => {
      if (step !== c.poisonStep) opt.step([cpuParam], [g]);
    });
    const pair = () => [blank(gpu, c.rows, c.cols, made), blank(gpu, c.rows, c.cols, made)];
    const P = pair();
    gpu.upload(P[0], p0);
    const S1 = pair();
    const S2 = pair();
    const T = [blank(gpu, 1, 4, made), blank(gpu, 1, 4, made)];
    const G = blank(gpu, c.rows, c.cols, made, c.gradLayers);
    const metrics = blank(gpu, 1, 4, made);
    let cur = 0;
    grads.forEach((g, step) => {
      gpu.upload(G, g);
      gpu.upload(metrics, Float32Array.of(0, 0, step === c.poisonStep ? 2 : 0, 0));
      const nxt = 1 - cur;
      if (c.kind === 'sgd') {
        sgdUpdateGpu(
          gpu,
          { param: P[cur], velocity: S1[cur], grad: G, nextParam: P[nxt], nextVelocity: S1[nxt] },
          metrics,
          c.lr,
          c.momentum,
        );
      } else {
        adamUpdateGpu(
          gpu,
          { param: P[cur], m: S1[cur], v: S2[cur], grad: G, nextParam: P[nxt], nextM: S1[nxt], nextV: S2[nxt] },
          metrics,
          T[cur],
          { lr: c.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        );
        adamCountGpu(gpu, T[cur], metrics, T[nxt]);
      }
      cur = nxt;
    });
    return { error: relativeError(gpu.readSync(P[cur]), cpuParam), size };
  });
}

/**
 * A device layer limited to `maxDrawBuffers` render targets, asked for a matrix in `layers` layers:
 * the error it throws (name and message), or null when the matrix was made.
 */
function layerLimitCase(c: { maxDrawBuffers: number; layers: number }): { name: string; message: string } | null {
  const gpu = createGpu(device().gl, { maxDrawBuffers: c.maxDrawBuffers });
  try {
    gpu.free(gpu.matrix(9, 6, 'dW', c.layers));
    return null;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

const api = {
  probe: () => probeWebGL(),
  deviceLimits,
  layerLimitCase,
  im2colCase,
  col2imCase,
  gemmCase,
  transposeCase,
  biasReluCase,
  reluBackwardCase,
  rowSumsCase,
  flattenCase,
  softmaxCase,
  optimizerCase,
};
export type WebGLOpsApi = typeof api;
(globalThis as unknown as { webglOps: WebGLOpsApi }).webglOps = api;
