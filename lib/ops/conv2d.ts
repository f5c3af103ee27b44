import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { im2colInto } from '../im2col/im2col.ts';
import { gemmInto, gemmKernel } from '../gemm.ts';
import { im2colGemmWasm } from '../wasm/gemm-wasm.ts';
import { checkConvArgs } from './check-conv.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/**
 * Moves a matrix laid out `[F, N·P]` (row f holds image 0's P values, then image 1's, …) into
 * NCHW order `[N, F, P]`, adding `bias[f]` to every value of row f when a bias is given.
 * Returns a new buffer, or `rows` itself (bias added in place) when N = 1 and the layouts agree.
 */
export function rowsToNchw(rows: Float32Array, F: number, N: number, P: number, bias: Float32Array | null): Float32Array {
  const out = N === 1 ? rows : new Float32Array(rows.length);
  for (let f = 0; f < F; f++) {
    const add = bias ? bias[f] : 0;
    for (let n = 0; n < N; n++) {
      const src = (f * N + n) * P;
      const dst = (n * F + f) * P;
      if (N === 1 && add === 0) continue;
      for (let p = 0; p < P; p++) out[dst + p] = rows[src + p] + add;
    }
  }
  return out;
}

/**
 * The inverse move: an NCHW buffer `[N, F, P]` to the matrix `[F, N·P]` whose row f lists channel
 * f of every image side by side (the layout of the GEMM result). Returns `nchw` itself when N = 1.
 */
export function nchwToRows(nchw: Float32Array, N: number, F: number, P: number): Float32Array {
  if (N === 1) return nchw;
  const rows = new Float32Array(nchw.length);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const src = (n * F + f) * P;
      const dst = (f * N + n) * P;
      for (let p = 0; p < P; p++) rows[dst + p] = nchw[src + p];
    }
  }
  return rows;
}

/**
 * 2-D convolution (cross-correlation, as in deep learning) by im2col and one matrix product.
 * `x` is `[N, C, H, W]`, `w` is `[F, C, KH, KW]`, `b` is `[F]` or null; the result is
 * `[N, F, OH, OW]` with `y[n][f][oh][ow] = b[f] + Σ_{c,kh,kw} w[f][c][kh][kw] ·
 * xpadded[n][c][oh·sh + kh·dh][ow·sw + kw·dw]`.
 *
 * The steps: `cols = im2col(x)` (`[C·KH·KW, N·OH·OW]`), `Y = W_row × cols` where `W_row` is `w`
 * read as `[F, C·KH·KW]` (no copy), then `Y` (`[F, N·OH·OW]`) is moved to NCHW with the bias added.
 * On the WebAssembly kernel (gemmKernel() = 'wasm') the first two steps run inside its module —
 * the same matrix, built where the GEMM reads it (im2colGemmWasm) — and give the same bits as
 * im2colInto followed by gemmInto on that kernel.
 * Throws ConvConfigError for invalid tensors, options or mismatched shapes.
 */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, opts: ConvOptions = {}): Tensor {
  const g = checkConvArgs(x, w, b, opts);
  const { N, F, C, KH, KW, OH, OW } = g;
  const K = C * KH * KW;
  const P = OH * OW;
  const Q = N * P;
  checkBufferSizes('conv2d', { 'the im2col matrix': [K, Q] });
  const rows = new Float32Array(F * Q);
  if (!(gemmKernel() === 'wasm' && K > 0 && Q > 0 && im2colGemmWasm(x.data, g, w.data, F, rows))) {
    const cols = new Float32Array(K * Q);
    im2colInto(x.data, g, cols);
    gemmInto(F, Q, K, w.data, false, cols, false, rows);
  }
  const data = rowsToNchw(rows, F, N, P, b ? b.data : null);
  return { shape: [N, F, OH, OW], data };
}
