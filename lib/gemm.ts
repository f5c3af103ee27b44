import type { Tensor } from './tensor.ts';
import { assertTensor } from './tensor.ts';
import { ConvConfigError, describeValue } from './errors.ts';

/** Which operands are read transposed: `C = op(A) × op(B)` with `op(X) = Xᵀ` when set. */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
}

/**
 * The GEMM loop on raw buffers: `c[M×N] = op(a)[M×K] × op(b)[K×N]`, all row-major. `a` is stored
 * `M×K` (or `K×M` when `transA`), `b` is `K×N` (or `N×K` when `transB`). `c` is overwritten.
 * Each output is the sum over k = 0…K−1 in that order, accumulated in float64 and rounded to
 * float32 once when stored, so a dot product replayed in the same order gives the same bits.
 */
export function gemmInto(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + i] : a[i * K + k];
        const bv = transB ? b[j * K + k] : b[k * N + j];
        acc += av * bv;
      }
      c[i * N + j] = acc;
    }
  }
}

/**
 * Matrix product of two 2-D tensors: `op(a) × op(b)` → `[M, N]`. Throws ConvConfigError when an
 * operand is not 2-D or the inner dimensions differ.
 */
export function matmul(a: Tensor, b: Tensor, opts: GemmOptions = {}): Tensor {
  assertTensor('a', a, 2, '[rows, cols]');
  assertTensor('b', b, 2, '[rows, cols]');
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const [M, Ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (Ka !== Kb) {
    throw new ConvConfigError(
      'b',
      `matmul inner dimensions must agree: op(a) is ${M}×${Ka}, op(b) is ${Kb}×${N} (shapes ${describeValue(a.shape)}${transA ? 'ᵀ' : ''} and ${describeValue(b.shape)}${transB ? 'ᵀ' : ''})`,
    );
  }
  const c = new Float32Array(M * N);
  gemmInto(M, N, Ka, a.data, transA, b.data, transB, c);
  return { shape: [M, N], data: c };
}
