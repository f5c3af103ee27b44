import type { Gpu, GpuMatrix } from '../device.ts';
import {
  FRAGMENT_HEADER,
  LANES,
  RELU_KEEP_NAN,
  cachedSource,
  declareKeepColumns,
  declareMatrix,
  declareOutputs,
  layoutKey,
} from '../glsl.ts';
import { ConvConfigError } from '../../errors.ts';
import { expectDistinct, expectShape } from './check.ts';

/** GPU GEMM options: A or B read transposed, and the fused epilogue (bias per row, then ReLU). */
export interface GpuGemmOptions {
  /**
   * `C = Aᵀ × B` with `a` stored `[K, M]` (a weight used transposed in the backward pass, without
   * a transpose op: one texel of A holds 4 of the rows a fragment computes). Not with transB.
   */
  readonly transA?: boolean;
  /** `C = A × Bᵀ` with `b` stored `[N, K]` (the dot-product form); default false (`b` is `[K, N]`). */
  readonly transB?: boolean;
  /** A row vector `[1, M]`: `bias[i]` is added to every entry of row i of C. */
  readonly bias?: GpuMatrix | null;
  /** Apply `max(0, ·)` after the bias. */
  readonly relu?: boolean;
  /**
   * `[M, N]`: the result is multiplied by `[mask > 0]` (after bias and ReLU), i.e. a ReLU backward
   * fused into the GEMM that produces the gradient (mask = that ReLU's output).
   */
  readonly reluMask?: GpuMatrix | null;
  /** Tuning: inner-loop iterations written out per loop trip in the block kernels (default UNROLL by form). */
  readonly unroll?: number;
}

/** NN, one texel (1 row × 4 columns) per fragment: per k-texel one fetch of A and 4 of B. */
function nnBody(K: number): string {
  const full = Math.floor(K / 4);
  const tail = K % 4;
  let text = `  for (int k = 0; k < ${full}; k++) {
    vec4 a = A_texel(i, k);
    int r = k * 4;
    acc += a.x * B_texel(r, t) + a.y * B_texel(r + 1, t) + a.z * B_texel(r + 2, t) + a.w * B_texel(r + 3, t);
  }
`;
  if (tail > 0) {
    text += `  { vec4 a = A_texel(i, ${full});\n`;
    for (let l = 0; l < tail; l++) text += `    acc += a.${LANES[l]} * B_texel(${full * 4 + l}, t);\n`;
    text += '  }\n';
  }
  return text;
}

/** NT, one texel per fragment: per k-texel one fetch of A and 4 of B (4 dot products). */
function ntBody(K: number, N: number): string {
  const texels = Math.ceil(K / 4);
  const clamp = (l: number) => (N % 4 === 0 ? `j0 + ${l}` : `min(j0 + ${l}, ${N - 1})`);
  return `  int j0 = t * 4;
  int j1 = ${clamp(1)}, j2 = ${clamp(2)}, j3 = ${clamp(3)};
  for (int k = 0; k < ${texels}; k++) {
    vec4 a = A_texel(i, k);
    acc += vec4(dot(a, B_texel(j0, k)), dot(a, B_texel(j1, k)), dot(a, B_texel(j2, k)), dot(a, B_texel(j3, k)));
  }
`;
}

/**
 * Inner-loop iterations written out per loop trip in the block kernels, by form (A·B, A·Bᵀ,
 * Aᵀ·B); the NN and NT bodies hold 4 k's each, the TN body one. Picked on SwiftShader with 8-row
 * blocks: a seed CNN step took 224 ms (sum of each op's fastest of 10 steps) against 243 ms with
 * { nn: 1, nt: 2, tn: 4 }, and won in each of three alternating runs.
 */
export const UNROLL = { nn: 2, nt: 2, tn: 8 } as const;

function rowClamp(R: number, M: number, l: number): string {
  return M % R === 0 ? `i0 + ${l}` : `min(i0 + ${l}, ${M - 1})`;
}

/** The GLSL name of row l of the fragment's block (`i0` for the first, `i1` … for the others). */
function rowName(l: number): string {
  return l === 0 ? 'i0' : `i${l}`;
}

/** The k loop, `steps` iterations of `body(k)` (k an int expression), partly unrolled. */
function unrolledLoop(steps: number, body: (k: string) => string, unrollBy: number): string {
  const unroll = Math.max(1, Math.min(unrollBy, steps));
  const trips = Math.floor(steps / unroll);
  let text = '';
  if (trips > 0) {
    text += `  for (int kb = 0; kb < ${trips * unroll}; kb += ${unroll}) {\n`;
    for (let u = 0; u < unroll; u++) text += body(`(kb + ${u})`);
    text += '  }\n';
  }
  for (let k = trips * unroll; k < steps; k++) text += body(`${k}`);
  return text;
}

/** NN, R rows × 4 columns per fragment: per k-texel 4 fetches of B and R of A for 16·R multiply-adds. */
function nnBlockBody(R: number, K: number, unroll: number): string {
  const full = Math.floor(K / 4);
  const tail = K % 4;
  const rows = Array.from({ length: R }, (_, l) => l);
  let text = unrolledLoop(
    full,
    (k) => `    {
      int r = ${k} * 4;
      vec4 b0 = B_texel(r, t), b1 = B_texel(r + 1, t), b2 = B_texel(r + 2, t), b3 = B_texel(r + 3, t);
${rows.map((l) => `      { vec4 a = A_texel(${rowName(l)}, ${k}); c${l} += a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3; }`).join('\n')}
    }
`,
    unroll,
  );
  if (tail > 0) {
    text += `  {\n`;
    for (let l = 0; l < tail; l++) text += `    vec4 b${l} = B_texel(${full * 4 + l}, t);\n`;
    for (const l of rows) {
      text += `    { vec4 a = A_texel(${rowName(l)}, ${full}); c${l} += ${Array.from({ length: tail }, (_, q) => `a.${LANES[q]} * b${q}`).join(' + ')}; }\n`;
    }
    text += '  }\n';
  }
  return text;
}

/** NT, R rows × 4 columns per fragment: per k-texel R fetches of A and 4 of B, 4·R dot products. */
function ntBlockBody(R: number, K: number, N: number, unroll: number): string {
  const clamp = (l: number) => (N % 4 === 0 ? `j0 + ${l}` : `min(j0 + ${l}, ${N - 1})`);
  const rows = Array.from({ length: R }, (_, l) => l);
  let text = `  int j0 = t * 4;
  int j1 = ${clamp(1)}, j2 = ${clamp(2)}, j3 = ${clamp(3)};
`;
  text += unrolledLoop(
    Math.ceil(K / 4),
    (k) => `    {
      vec4 b0 = B_texel(j0, ${k}), b1 = B_texel(j1, ${k}), b2 = B_texel(j2, ${k}), b3 = B_texel(j3, ${k});
${rows.map((l) => `      { vec4 a = A_texel(${rowName(l)}, ${k}); c${l} += vec4(dot(a, b0), dot(a, b1), dot(a, b2), dot(a, b3)); }`).join('\n')}
    }
`,
    unroll,
  );
  return text;
}

/**
 * TN, R rows × 4 columns per fragment: per k R/4 texels of A (each holds 4 of the rows) and one
 * of B, 4·R multiply-adds. `aTexels` is A's texels per row (the last A texel index is clamped).
 */
function tnBlockBody(R: number, K: number, aTexels: number, unroll: number): string {
  const groups = Array.from({ length: R / 4 }, (_, q) => q);
  const column = (q: number) => (q === 0 ? 'ia' : `min(ia + ${q}, ${aTexels - 1})`);
  return unrolledLoop(
    K,
    (k) => `    {
      vec4 b = B_texel(${k}, t);
${groups.map((q) => `      { vec4 a = A_texel(${k}, ${column(q)}); ${LANES.map((lane, l) => `c${q * 4 + l} += a.${lane} * b;`).join(' ')} }`).join('\n')}
    }
`,
    unroll,
  );
}

/** The block kernel's epilogue: bias, ReLU, ReLU mask, zero padding lanes and rows past M. */
function blockEpilogue(R: number, M: number, bias: boolean, relu: boolean, mask: boolean): string {
  return Array.from({ length: R }, (_, l) => l)
    .map((l) => {
      const row = `i0 + ${l}`;
      let v = `c${l}`;
      let text = '';
      if (bias) text += `  ${v} += bias_at(0, ${rowName(l)});\n`;
      if (relu) text += `  ${v} = reluKeepNaN(${v});\n`;
      if (mask) text += `  ${v} = mix(vec4(0.0), ${v}, greaterThan(mask_texel(${rowName(l)}, t), vec4(0.0)));\n`;
      v = `keepColumns(t, ${v})`;
      text += M % R === 0 ? `  o${l} = ${v};\n` : `  o${l} = ${row} < ${M} ? ${v} : vec4(0.0);\n`;
      return text;
    })
    .join('');
}

/**
 * `out = op(A) × op(B)` (+ bias per row, ReLU) on the GPU. `a` is `[M, K]`, or `[K, M]` with
 * `transA`; `b` is `[K, N]`, or `[N, K]` with `transB` (each output is then a dot product of two
 * rows); `out` is `[M, N]`; `bias` is `[1, M]`. When `out` has R = 4 or 8 layers (see
 * MatrixLayout) each fragment computes an R×4 block (R rows, one texel of 4 columns each, written
 * through R render targets), reusing every fetched texel; with 1 layer each fragment computes one
 * texel. Padding lanes (and rows past M) of `out` are written as 0. On SwiftShader a texel fetch
 * costs several times the multiply-adds it feeds: the 4×4 block is 2–3× faster than one texel per
 * fragment, and the 8×4 block (12 fetches per 128 multiply-adds instead of 8 per 64) another 20 %.
 * Throws ConvConfigError when the shapes disagree.
 */
export function gemm(gpu: Gpu, a: GpuMatrix, b: GpuMatrix, out: GpuMatrix, options: GpuGemmOptions = {}): void {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (transA && transB)
    throw new ConvConfigError('transB', 'gemm: transA and transB together are not supported (transpose one operand first)');
  const M = transA ? a.cols : a.rows;
  const K = transA ? a.rows : a.cols;
  const N = transB ? b.rows : b.cols;
  if ((transB ? b.cols : b.rows) !== K) {
    throw new ConvConfigError(
      'b',
      `gemm: the inner dimensions must agree: op(A) is ${M}×${K}${transA ? ` (A ${a.rows}×${a.cols} transposed)` : ''}, op(B) is ${transB ? `${b.cols}×${b.rows} (B ${b.rows}×${b.cols} transposed)` : `${b.rows}×${b.cols}`}`,
    );
  }
  expectShape('gemm', 'out', out, M, N);
  expectDistinct('gemm', a, out);
  expectDistinct('gemm', b, out);
  const bias = options.bias ?? null;
  if (bias) expectShape('gemm', 'bias', bias, 1, M);
  const relu = options.relu ?? false;
  const mask = options.reluMask ?? null;
  if (mask) expectShape('gemm', 'reluMask', mask, M, N);
  const R = out.layout.layers;
  const block = R > 1;
  const unroll = options.unroll ?? UNROLL[transA ? 'tn' : transB ? 'nt' : 'nn'];
  const key = `gemm:${R}:${unroll}:${transA}:${transB}:${bias !== null}:${relu}:${mask ? layoutKey(mask.layout) : '-'}:${layoutKey(a.layout)}:${layoutKey(b.layout)}:${layoutKey(out.layout)}`;
  const declarations = `${FRAGMENT_HEADER}
${declareMatrix('A', a.layout)}${declareMatrix('B', b.layout)}${bias ? declareMatrix('bias', bias.layout) : ''}${mask ? declareMatrix('mask', mask.layout) : ''}${declareOutputs(out.layout, R)}${declareKeepColumns(N)}${relu ? RELU_KEEP_NAN : ''}`;
  const rows = Array.from({ length: R }, (_, l) => l);
  const source = block
    ? cachedSource(
        key,
        () => `${declarations}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { ${rows.map((l) => `o${l} = vec4(0.0);`).join(' ')} return; }
  int i0 = rt.x;
  int t = rt.y;
  int ia = i0 >> 2;
  int ${rows
    .slice(1)
    .map((l) => `i${l} = ${rowClamp(R, M, l)}`)
    .join(', ')};
  vec4 ${rows.map((l) => `c${l} = vec4(0.0)`).join(', ')};
${transA ? tnBlockBody(R, K, a.layout.texelsPerRow, unroll) : transB ? ntBlockBody(R, K, N, unroll) : nnBlockBody(R, K, unroll)}${blockEpilogue(R, M, bias !== null, relu, mask !== null)}}
`,
      )
    : cachedSource(
        key,
        () => `${declarations}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int i = rt.x;
  int t = rt.y;
  vec4 acc = vec4(0.0);
${transA ? `  for (int k = 0; k < ${K}; k++) acc += A_at(k, i) * B_texel(k, t);\n` : transB ? ntBody(K, N) : nnBody(K)}${bias ? '  acc += bias_at(0, i);\n' : ''}${relu ? '  acc = reluKeepNaN(acc);\n' : ''}${mask ? '  acc = mix(vec4(0.0), acc, greaterThan(mask_texel(i, t), vec4(0.0)));\n' : ''}  o0 = keepColumns(t, acc);
}
`,
      );
  const inputs: Record<string, GpuMatrix> = { A: a, B: b };
  if (bias) inputs.bias = bias;
  if (mask) inputs.mask = mask;
  gpu.draw({
    source,
    inputs,
    outputs: [out],
    op: `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${M}×${K}·${N}${block ? ` (${R} rows)` : ''}`,
  });
}
