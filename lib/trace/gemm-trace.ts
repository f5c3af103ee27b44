import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { matmulReference as matmul } from '../gemm.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import type { TraceOptions } from './patch-extraction.ts';
import { assertTraceSize, resolveMaxEvents } from './patch-extraction.ts';
import { checkOptions } from '../options.ts';

/**
 * One term of an output cell's dot product: `a = W_row[f][k]` times `b = cols[k][q]`.
 * `product` is `a·b` (exact in float64: both factors are float32); `running` is the float64 sum of
 * this term and all before it, the value the GEMM's accumulator holds after step k.
 */
export interface GemmTerm {
  k: number;
  a: number;
  b: number;
  product: number;
  running: number;
}

/**
 * One output cell `out[row][column]` (`index = row·N + column` in row-major order): the dot product
 * of row `row` of W_row with column `column` of cols. `terms` are in increasing k, the order the GEMM
 * sums them; `sum` is their float64 sum rounded once to float32, which equals the GEMM's output.
 */
export interface GemmCellStep {
  index: number;
  row: number;
  column: number;
  terms: GemmTerm[];
  sum: number;
}

/**
 * A recorded GEMM `out = W_row × cols`: `M = F` rows, `N = Q` columns, inner size `K = R`.
 * `product` (`[M, N]`) is the engine's own matmul output; `steps` holds one GemmCellStep per
 * output cell, in row-major order.
 */
export interface GemmTrace {
  M: number;
  N: number;
  K: number;
  product: Tensor;
  steps: GemmCellStep[];
}

/** Options of the GEMM trace: a cap on the recorded terms (`M·N·K`), default 250 000. */
export type GemmTraceOptions = Pick<TraceOptions, 'maxEvents'>;

function assertOperands(wRow: Tensor, cols: Tensor): [number, number, number] {
  assertTensor('wRow', wRow, 2, '[F, C·KH·KW]');
  assertTensor('cols', cols, 2, '[C·KH·KW, N·OH·OW]');
  const [F, R] = wRow.shape;
  const [Rc, Q] = cols.shape;
  if (R !== Rc) {
    throw new ConvConfigError(
      'cols',
      `cols must have as many rows as wRow has columns (${R}), got shape ${describeValue(cols.shape)} for wRow ${describeValue(wRow.shape)}`,
    );
  }
  return [F, Q, R];
}

function assertIndex(name: string, value: number, size: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= size) {
    throw new ConvConfigError(name, `${name} must be an integer in [0, ${size - 1}], got ${describeValue(value)}`);
  }
}

/** Builds a cell's step without checks; `index` is its row-major position. */
function cellStep(wRow: Tensor, cols: Tensor, R: number, Q: number, f: number, q: number): GemmCellStep {
  const terms: GemmTerm[] = [];
  let running = 0;
  for (let k = 0; k < R; k++) {
    const a = wRow.data[f * R + k];
    const b = cols.data[k * Q + q];
    const product = a * b;
    running += product;
    terms.push({ k, a, b, product, running });
  }
  return { index: f * Q + q, row: f, column: q, terms, sum: Math.fround(running) };
}

/**
 * The dot product behind one output cell of `W_row × cols`: row `f` of `wRow` (`[F, R]`) against
 * column `q` of `cols` (`[R, Q]`), as a GemmCellStep. Lets a view of a large product build only
 * the cell it shows. Throws ConvConfigError for non-2-D operands, mismatched inner sizes, or
 * `f`, `q` outside `[0, F)`, `[0, Q)`.
 */
export function gemmCellTerms(wRow: Tensor, cols: Tensor, f: number, q: number): GemmCellStep {
  const [F, Q, R] = assertOperands(wRow, cols);
  assertIndex('f', f, F);
  assertIndex('q', q, Q);
  return cellStep(wRow, cols, R, Q, f, q);
}

/**
 * Traces the GEMM of a convolution, `out[F, Q] = W_row[F, R] × cols[R, Q]` (`R = C·KH·KW`,
 * `Q = N·OH·OW`). `product` comes from the engine's matmul; each step lists one output cell's
 * terms. The trace is driven by the summation order the GEMM guarantees (see gemmInto): every
 * output is the float64 sum over k = 0…K−1 in increasing order, rounded once to float32, so
 * replaying a step's terms in order reproduces `product` bit for bit however the GEMM tiles its
 * loops. Throws ConvConfigError for invalid operands or when `M·N·K` exceeds `opts.maxEvents`.
 */
export function traceGemm(wRow: Tensor, cols: Tensor, opts: GemmTraceOptions = {}): GemmTrace {
  const [F, Q, R] = assertOperands(wRow, cols);
  assertTraceSize(F * Q * R, resolveMaxEvents(checkOptions<GemmTraceOptions>('traceGemm', opts, ['maxEvents'])), 'terms');
  const product = matmul(wRow, cols);
  const steps: GemmCellStep[] = [];
  for (let f = 0; f < F; f++) {
    for (let q = 0; q < Q; q++) steps.push(cellStep(wRow, cols, R, Q, f, q));
  }
  return { M: F, N: Q, K: R, product, steps };
}
