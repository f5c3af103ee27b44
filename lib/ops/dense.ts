import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { gemmInto } from '../gemm.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/** Checks x `[N, I]` and w `[O, I]` (the same I) and returns `[N, I, O]`. */
function denseShapes(op: string, x: Tensor, w: Tensor): [number, number, number] {
  assertTensor('x', x, 2, '[N, I]');
  assertTensor('w', w, 2, '[O, I]');
  const [N, I] = x.shape;
  const [O, Iw] = w.shape;
  if (Iw !== I) {
    throw new ConvConfigError(
      'w',
      `${op}: w [O, I] must have as many columns as x [N, I] has features (I = ${I}), got x ${describeValue(x.shape)} and w ${describeValue(w.shape)}`,
    );
  }
  return [N, I, O];
}

/**
 * Fully connected layer: `y = x·wᵀ + b`. `x` is `[N, I]` (one row per example), `w` is `[O, I]`
 * (one row per output unit, PyTorch's layout), `b` is `[O]` or null; `y` is `[N, O]`. One GEMM
 * with `w` read transposed.
 */
export function dense(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  const [N, I, O] = denseShapes('dense', x, w);
  checkBufferSizes('dense', { 'the output': [N, O] });
  const y = new Float32Array(N * O);
  gemmInto(N, O, I, x.data, false, w.data, true, y);
  if (b !== null && b !== undefined) {
    assertTensor('b', b, 1, '[O]');
    if (b.shape[0] !== O) {
      throw new ConvConfigError(
        'b',
        `dense: b must have one entry per output unit, length O = ${O} (w is ${describeValue(w.shape)}), got ${describeValue(b.shape)}`,
      );
    }
    for (let n = 0; n < N; n++) {
      const row = n * O;
      for (let o = 0; o < O; o++) y[row + o] += b.data[o];
    }
  }
  return { shape: [N, O], data: y };
}

/** Gradients of dense: `dx` `[N, I]`, `dw` `[O, I]`, `db` `[O]`. */
export interface DenseGradients {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

/**
 * Backward of dense, given the upstream gradient `dy` `[N, O]` and the forward's `x` `[N, I]` and
 * `w` `[O, I]`: `dx = dy·w` `[N, I]`, `dw = dyᵀ·x` `[O, I]`, `db = Σₙ dy[n]` `[O]`. Two GEMMs
 * (the second reads `dy` transposed) and a column sum.
 */
export function denseBackward(dy: Tensor, x: Tensor, w: Tensor): DenseGradients {
  const [N, I, O] = denseShapes('denseBackward', x, w);
  assertTensor('dy', dy, 2, '[N, O]');
  if (dy.shape[0] !== N || dy.shape[1] !== O) {
    throw new ConvConfigError(
      'dy',
      `denseBackward: dy must have shape [N, O] = ${describeValue([N, O])} (x ${describeValue(x.shape)}, w ${describeValue(w.shape)}), got ${describeValue(dy.shape)}`,
    );
  }
  const dx = new Float32Array(N * I);
  gemmInto(N, I, O, dy.data, false, w.data, false, dx);
  const dw = new Float32Array(O * I);
  gemmInto(O, I, N, dy.data, true, x.data, false, dw);
  const sums = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    const row = n * O;
    for (let o = 0; o < O; o++) sums[o] += dy.data[row + o];
  }
  return {
    dx: { shape: [N, I], data: dx },
    dw: { shape: [O, I], data: dw },
    db: { shape: [O], data: Float32Array.from(sums) },
  };
}
