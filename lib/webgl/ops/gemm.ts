import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, RELU_KEEP_NAN, cachedSource, declareKeepColumns, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { ConvConfigError } from '../../errors.ts';
import { expectDistinct, expectShape } from './check.ts';

/** GPU GEMM options: A or B read transposed, and the fused epilogue (bias per row, then ReLU). */
export interface GpuGemmOptions {
  /**
   * `C = Aᵀ × B` with `a` stored `[K, M]` (a weight used transposed in the backward pass, without
   * a transpose op: one texel of A holds the 4 rows a fragment computes). Not with transB.
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
  /** Tuning: inner-loop iterations written out per loop trip in the 4-row kernels (default UNROLL). */
  readonly unroll?: number;
}

/** NN, one texel (1 row × 4 columns) per fragment: per k-texel one fetch of A and 4 of B. */
function nnBody(K: number): string {
  const full = Math.floor(K / 4);
  const tail = K % 4;
  const lanes = ['x', 'y', 'z', 'w'];
  let text = `  for (int k = 0; k < ${full}; k++) {
    vec4 a = A_texel(i, k);
    int r = k * 4;
    acc += a.x * B_texel(r, t) + a.y * B_texel(r + 1, t) + a.z * B_texel(r + 2, t) + a.w * B_texel(r + 3, t);
  }
`;
  if (tail > 0) {
    text += `  { vec4 a = A_texel(i, ${full});\n`;
    for (let l = 0; l < tail; l++) text += `    acc += a.${lanes[l]} * B_texel(${full * 4 + l}, t);\n`;
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

/** Inner-loop iterations written out per loop trip in the 4-row kernels (constant offsets). */
export const UNROLL = 4;

function rowClamp(M: number, l: number): string {
  return M % 4 === 0 ? `i0 + ${l}` : `min(i0 + ${l}, ${M - 1})`;
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

/** NN, 4 rows × 4 columns per fragment: per k-texel 4 fetches of B and 4 of A for 64 multiply-adds. */
function nnQuadBody(K: number, unroll: number): string {
  const full = Math.floor(K / 4);
  const tail = K % 4;
  const rows = [0, 1, 2, 3];
  let text = unrolledLoop(full, (k) => `    {
      int r = ${k} * 4;
      vec4 b0 = B_texel(r, t), b1 = B_texel(r + 1, t), b2 = B_texel(r + 2, t), b3 = B_texel(r + 3, t);
${rows.map((l) => `      vec4 a${l} = A_texel(${l === 0 ? 'i0' : `i${l}`}, ${k}); c${l} += a${l}.x * b0 + a${l}.y * b1 + a${l}.z * b2 + a${l}.w * b3;`).join('\n')}
    }
`, unroll);
  if (tail > 0) {
    const lanes = ['x', 'y', 'z', 'w'];
    text += `  {\n`;
    for (let l = 0; l < tail; l++) text += `    vec4 b${l} = B_texel(${full * 4 + l}, t);\n`;
    for (const l of rows) {
      text += `    { vec4 a = A_texel(${l === 0 ? 'i0' : `i${l}`}, ${full}); c${l} += ${Array.from({ length: tail }, (_, q) => `a.${lanes[q]} * b${q}`).join(' + ')}; }\n`;
    }
    text += '  }\n';
  }
  return text;
}

/** NT, 4 rows × 4 columns per fragment: per k-texel 4 fetches of A and 4 of B, 16 dot products. */
function ntQuadBody(K: number, N: number, unroll: number): string {
  const clamp = (l: number) => (N % 4 === 0 ? `j0 + ${l}` : `min(j0 + ${l}, ${N - 1})`);
  const rows = [0, 1, 2, 3];
  let text = `  int j0 = t * 4;
  int j1 = ${clamp(1)}, j2 = ${clamp(2)}, j3 = ${clamp(3)};
`;
  text += unrolledLoop(Math.ceil(K / 4), (k) => `    {
      vec4 b0 = B_texel(j0, ${k}), b1 = B_texel(j1, ${k}), b2 = B_texel(j2, ${k}), b3 = B_texel(j3, ${k});
${rows.map((l) => `      vec4 a${l} = A_texel(${l === 0 ? 'i0' : `i${l}`}, ${k}); c${l} += vec4(dot(a${l}, b0), dot(a${l}, b1), dot(a${l}, b2), dot(a${l}, b3));`).join('\n')}
    }
`, unroll);
  return text;
}

/** TN, 4 rows × 4 columns per fragment: per k one texel of A (the 4 rows) and one of B, 16 multiply-adds. */
function tnQuadBody(K: number, unroll: number): string {
  return unrolledLoop(K, (k) => `    {
      vec4 a = A_texel(${k}, ia);
      vec4 b = B_texel(${k}, t);
      c0 += a.x * b; c1 += a.y * b; c2 += a.z * b; c3 += a.w * b;
    }
`, unroll);
}

/** The 4-row kernel's epilogue: bias, ReLU, zero padding lanes and rows past M. */
function quadEpilogue(M: number, bias: boolean, relu: boolean, mask: boolean): string {
  return [0, 1, 2, 3]
    .map((l) => {
      const row = `i0 + ${l}`;
      let v = `c${l}`;
      let text = '';
      if (bias) text += `  ${v} += bias_at(0, ${l === 0 ? 'i0' : `i${l}`});\n`;
      if (relu) text += `  ${v} = reluKeepNaN(${v});\n`;
      if (mask) text += `  ${v} = mix(vec4(0.0), ${v}, greaterThan(mask_texel(${l === 0 ? 'i0' : `i${l}`}, t), vec4(0.0)));\n`;
      v = `keepColumns(t, ${v})`;
      text += M % 4 === 0 ? `  o${l} = ${v};\n` : `  o${l} = ${row} < ${M} ? ${v} : vec4(0.0);\n`;
      return text;
    })
    .join('');
}

/**
 * `out = op(A) × op(B)` (+ bias per row, ReLU) on the GPU. `a` is `[M, K]`, or `[K, M]` with
 * `transA`; `b` is `[K, N]`, or `[N, K]` with `transB` (each output is then a dot product of two
 * rows); `out` is `[M, N]`; `bias` is `[1, M]`. When `out` has 4 layers (see MatrixLayout) each
 * fragment computes a 4×4 block (4 rows, one texel of 4 columns each, written through 4 render
 * targets), reusing every fetched texel 4 times; with 1 layer each fragment computes one texel.
 * Padding lanes (and rows past M) of `out` are written as 0. On SwiftShader the 4×4 block is
 * 2–3× faster than one texel per fragment; 4×8 blocks (8 render targets) were slower.
 * Throws ConvConfigError when the shapes disagree.
 */
export function gemm(gpu: Gpu, a: GpuMatrix, b: GpuMatrix, out: GpuMatrix, options: GpuGemmOptions = {}): void {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  if (transA && transB) throw new ConvConfigError('transB', 'gemm: transA and transB together are not supported (transpose one operand first)');
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
  const quad = out.layout.layers === 4;
  const unroll = options.unroll ?? UNROLL;
  const key = `gemm:${quad}:${unroll}:${transA}:${transB}:${bias !== null}:${relu}:${mask ? layoutKey(mask.layout) : '-'}:${layoutKey(a.layout)}:${layoutKey(b.layout)}:${layoutKey(out.layout)}`;
  const declarations = `${FRAGMENT_HEADER}
${declareMatrix('A', a.layout)}${declareMatrix('B', b.layout)}${bias ? declareMatrix('bias', bias.layout) : ''}${mask ? declareMatrix('mask', mask.layout) : ''}${declareOutputs(out.layout, quad ? 4 : 1)}${declareKeepColumns(N)}${relu ? RELU_KEEP_NAN : ''}`;
  const source = quad
    ? cachedSource(key, () => `${declarations}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); o1 = vec4(0.0); o2 = vec4(0.0); o3 = vec4(0.0); return; }
  int i0 = rt.x;
  int t = rt.y;
  int ia = i0 >> 2;
  int i1 = ${rowClamp(M, 1)}, i2 = ${rowClamp(M, 2)}, i3 = ${rowClamp(M, 3)};
  vec4 c0 = vec4(0.0), c1 = vec4(0.0), c2 = vec4(0.0), c3 = vec4(0.0);
${transA ? tnQuadBody(K, unroll) : transB ? ntQuadBody(K, N, unroll) : nnQuadBody(K, unroll)}${quadEpilogue(M, bias !== null, relu, mask !== null)}}
`)
    : cachedSource(key, () => `${declarations}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int i = rt.x;
  int t = rt.y;
  vec4 acc = vec4(0.0);
${transA ? `  for (int k = 0; k < ${K}; k++) acc += A_at(k, i) * B_texel(k, t);\n` : transB ? ntBody(K, N) : nnBody(K)}${bias ? '  acc += bias_at(0, i);\n' : ''}${relu ? '  acc = reluKeepNaN(acc);\n' : ''}${mask ? '  acc = mix(vec4(0.0), acc, greaterThan(mask_texel(i, t), vec4(0.0)));\n' : ''}  o0 = keepColumns(t, acc);
}
`);
  const inputs: Record<string, GpuMatrix> = { A: a, B: b };
  if (bias) inputs.bias = bias;
  if (mask) inputs.mask = mask;
  gpu.draw({ source, inputs, outputs: [out], op: `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${M}×${K}·${N}${quad ? ' (4 rows)' : ''}` });
}
