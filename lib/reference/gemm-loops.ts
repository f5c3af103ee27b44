import type { Tensor } from '../tensor.ts';
import { assertTensor, at, zeros } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';

/**
 * What convGemmLoops reports: one term of a dot product (`term`: `a = W_row[f][r]`,
 * `b = X_col[r][q]`, their product and the running sum after it), an entry of Y stored (`store`),
 * or one feature map moved out of Y (`reshape`, image `n`, filter `f`).
 */
export interface GemmLoopEvent {
  kind: 'term' | 'store' | 'reshape';
  f: number;
  q: number;
  r: number;
  n: number;
  a: number;
  b: number;
  product: number;
  sum: number;
}

/** Called once per statement the figure animates, with the loop's cursor and the event. */
export type GemmLoopObserver = (cursor: LoopCursor, event: GemmLoopEvent) => void;

/**
 * A convolution's GEMM and reshape as plain loops, written to be read: the reference lesson 4's
 * code panel shows and its figure replays. `Y = W_row × X_col` (`[F, R] × [R, Q] → [F, Q]`, one
 * dot product per entry, summed in float64 in the order r = 0 … R−1 and stored as float32), then
 * every row f of Y, columns `n·P … n·P + P − 1` (`P = OH·OW`), becomes feature map `y[n][f]` of
 * `[N, F, OH, OW]`. Lines marked `// trace` are hidden from the code panel.
 */
export function convGemmLoops(
  wRow: Tensor,
  cols: Tensor,
  out: readonly [N: number, OH: number, OW: number],
  observe?: GemmLoopObserver, // trace
): { Y: Tensor; y: Tensor } {
  assertTensor('wRow', wRow, 2, '[F, C·KH·KW]'); // trace
  assertTensor('cols', cols, 2, '[C·KH·KW, N·OH·OW]'); // trace
  const [F, R] = wRow.shape;
  const Q = cols.shape[1];
  const [N, OH, OW] = out;
  const P = OH * OW;
  if (cols.shape[0] !== R || N * P !== Q) throw new ConvConfigError('cols', `cols must be [${R}, ${N * P}] for wRow ${describeValue(wRow.shape)} and output ${describeValue(out)}, got ${describeValue(cols.shape)}`); // trace
  const Y = zeros([F, Q]);
  for (let f = 0; f < F; f++) {
    for (let q = 0; q < Q; q++) {
      let sum = 0;
      for (let r = 0; r < R; r++) {
        const a = at(wRow, f, r);
        const b = at(cols, r, q);
        sum += a * b;
        observe?.({ mark: 'term', vars: [['f', f], ['q', q], ['r', r]] }, { kind: 'term', f, q, r, n: -1, a, b, product: a * b, sum }); // trace
      }
      Y.data[f * Q + q] = sum;
      observe?.({ mark: 'store', vars: [['f', f], ['q', q]] }, { kind: 'store', f, q, r: -1, n: -1, a: 0, b: 0, product: 0, sum: Y.data[f * Q + q] }); // trace
    }
  }
  const y = zeros([N, F, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let p = 0; p < P; p++) {
        y.data[(n * F + f) * P + p] = Y.data[f * Q + n * P + p];
      }
      observe?.({ mark: 'reshape', vars: [['n', n], ['f', f]] }, { kind: 'reshape', f, q: -1, r: -1, n, a: 0, b: 0, product: 0, sum: 0 }); // trace
    }
  }
  return { Y, y };
}

/** The lines of convGemmLoops the code panel marks (fragments on exactly one line each). */
export const GEMM_LOOP_MARKS: Readonly<Record<'term' | 'store' | 'reshape', string>> = {
  term: 'sum += a * b;',
  store: 'Y.data[f * Q + q] = sum;',
  reshape: 'y.data[(n * F + f) * P + p] = Y.data[f * Q + n * P + p];',
};

/**
 * What convParamGradientLoops reports: one feature map of dy copied into its row of dY_row (`rows`,
 * image `n`, filter `f`), one term of a bias sum (`bias-term`: `a = dY_row[f][q]`, the running sum)
 * or a bias stored (`bias`), one term of a weight's dot product (`term`: `a = dY_row[f][q]`,
 * `b = X_col[r][q]`, their product and the running sum) or a weight stored (`store`). Unused
 * fields are −1 (indices) or 0 (values).
 */
export interface ParamGradientLoopEvent {
  kind: 'rows' | 'bias-term' | 'bias' | 'term' | 'store';
  n: number;
  f: number;
  r: number;
  q: number;
  a: number;
  b: number;
  product: number;
  sum: number;
}

/** Called once per statement the figure animates, with the loop's cursor and the event. */
export type ParamGradientLoopObserver = (cursor: LoopCursor, event: ParamGradientLoopEvent) => void;

/**
 * A convolution's parameter gradients as plain loops, written to be read: the reference lesson 6's
 * code panel shows and its figure replays. From the output gradient `dy` (`[N, F, OH, OW]`, δ_Z) and
 * the forward pass's `cols = im2col(x)` (`[R, Q]`, `R = C·KH·KW`, `Q = N·OH·OW`): dY_row is dy read
 * as `[F, Q]`; `db[f]` is the sum of row f; `dW = dY_row × X_colᵀ` (`[F, R]`, read as
 * `[F, C, KH, KW]`), one dot product over the windows per weight. Sums run in float64 in the order
 * q = 0 … Q−1 and are stored as float32, as conv2dBackward on the JS kernel. Lines marked `// trace`
 * are hidden from the code panel.
 */
export function convParamGradientLoops(
  dy: Tensor,
  cols: Tensor,
  observe?: ParamGradientLoopObserver, // trace
): { dyRow: Tensor; db: Tensor; dW: Tensor } {
  assertTensor('dy', dy, 4, '[N, F, OH, OW]'); // trace
  assertTensor('cols', cols, 2, '[C·KH·KW, N·OH·OW]'); // trace
  const [N, F, OH, OW] = dy.shape;
  const P = OH * OW;
  const [R, Q] = cols.shape;
  if (Q !== N * P) throw new ConvConfigError('cols', `cols must have N·OH·OW = ${N * P} columns for dy ${describeValue(dy.shape)}, got ${describeValue(cols.shape)}`); // trace
  const dyRow = zeros([F, Q]); // row f: filter f's gradient at every window
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let p = 0; p < P; p++) {
        dyRow.data[f * Q + n * P + p] = dy.data[(n * F + f) * P + p];
      }
      observe?.({ mark: 'rows', vars: [['n', n], ['f', f]] }, { kind: 'rows', n, f, r: -1, q: -1, a: 0, b: 0, product: 0, sum: 0 }); // trace
    }
  }
  const db = zeros([F]);
  for (let f = 0; f < F; f++) {
    let sum = 0;
    for (let q = 0; q < Q; q++) {
      sum += at(dyRow, f, q);
      observe?.({ mark: 'bias-term', vars: [['f', f], ['q', q]] }, { kind: 'bias-term', n: -1, f, r: -1, q, a: at(dyRow, f, q), b: 0, product: 0, sum }); // trace
    }
    db.data[f] = sum;
    observe?.({ mark: 'bias', vars: [['f', f]] }, { kind: 'bias', n: -1, f, r: -1, q: -1, a: 0, b: 0, product: 0, sum: db.data[f] }); // trace
  }
  const dW = zeros([F, R]);
  for (let f = 0; f < F; f++) {
    for (let r = 0; r < R; r++) {
      let sum = 0;
      for (let q = 0; q < Q; q++) {
        const a = at(dyRow, f, q);
        const b = at(cols, r, q);
        sum += a * b;
        observe?.({ mark: 'term', vars: [['f', f], ['r', r], ['q', q]] }, { kind: 'term', n: -1, f, r, q, a, b, product: a * b, sum }); // trace
      }
      dW.data[f * R + r] = sum;
      observe?.({ mark: 'store', vars: [['f', f], ['r', r]] }, { kind: 'store', n: -1, f, r, q: -1, a: 0, b: 0, product: 0, sum: dW.data[f * R + r] }); // trace
    }
  }
  return { dyRow, db, dW };
}

/** The lines of convParamGradientLoops the code panel marks (fragments on exactly one line each). */
export const PARAM_GRADIENT_LOOP_MARKS: Readonly<Record<'rows' | 'bias-term' | 'bias' | 'term' | 'store' | 'result', string>> = {
  rows: 'dyRow.data[f * Q + n * P + p] = dy.data[(n * F + f) * P + p];',
  'bias-term': 'sum += at(dyRow, f, q);',
  bias: 'db.data[f] = sum;',
  term: 'sum += a * b;',
  store: 'dW.data[f * R + r] = sum;',
  result: 'return { dyRow, db, dW };',
};
