import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { CONV_OPTION_KEYS, convGeometry } from '../geometry.ts';
import { checkOptions } from '../options.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { im2colInto } from '../im2col/im2col.ts';
import { col2imInto } from '../im2col/col2im.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/**
 * Options of a pooling window: the same fields as ConvOptions, but **stride defaults to the window
 * size** (`[KH, KW]`, non-overlapping windows, as in most frameworks), not to 1. Padding defaults to
 * 0 and dilation to 1.
 */
export type PoolOptions = ConvOptions;

/**
 * A pooling seen as im2col: `x` `[N, C, H, W]` is treated as `N·C` single-channel images
 * `[N·C, 1, H, W]`, so `g` is the geometry of that view and its im2col matrix is
 * `[KH·KW, N·C·OH·OW]`: row `r = kh·KW + kw`, column `q = ((n·C + c)·OH + oh)·OW + ow`, which is
 * also the flat index of `y[n][c][oh][ow]`. `xShape` is the real `[N, C, H, W]`, `yShape` the
 * output `[N, C, OH, OW]`.
 */
export interface PoolGeometry {
  g: ConvGeometry;
  xShape: readonly [number, number, number, number];
  yShape: readonly [number, number, number, number];
}

/**
 * Checks a pooling and returns its geometry (see PoolGeometry). `op` names the calling op in error
 * messages. Throws ConvConfigError for an x shape that is not 4-D positive integers, a window that
 * is not two positive integers, a bad option, or a window that does not fit the padded input; the
 * message names the op and x's real shape.
 */
export function poolGeometry(
  xShape: readonly number[],
  window: readonly [number, number] | readonly number[],
  opts: PoolOptions = {},
  op = 'pool',
): PoolGeometry {
  if (!Array.isArray(xShape) || xShape.length !== 4 || !xShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ConvConfigError(
      'x',
      `${op}: x must be a 4-D shape [N, C, H, W] with positive integer dimensions, got ${describeValue(xShape)}`,
    );
  }
  if (!Array.isArray(window) || window.length !== 2 || !window.every((k) => Number.isInteger(k) && k >= 1)) {
    throw new ConvConfigError('kernel', `${op}: pooling window must be two positive integers [KH, KW], got ${describeValue(window)}`);
  }
  opts = checkOptions<PoolOptions>(op, opts, CONV_OPTION_KEYS);
  const [N, C, H, W] = xShape;
  const stride = opts.stride ?? ([window[0], window[1]] as const);
  let g: ConvGeometry;
  try {
    g = convGeometry([N * C, 1, H, W], window, { stride, padding: opts.padding, dilation: opts.dilation });
  } catch (e) {
    if (e instanceof ConvConfigError) {
      throw new ConvConfigError(e.parameter, `${op}: ${e.message} (pooling x of shape ${describeValue(xShape)})`);
    }
    throw e;
  }
  checkBufferSizes(op, { 'the window matrix': [g.KH * g.KW, g.N * g.OH * g.OW] });
  return { g, xShape: [N, C, H, W], yShape: [N, C, g.OH, g.OW] };
}

/**
 * Which cells of one plane's pooling windows are real pixels: `[KH·KW, OH·OW]`, 1 where window
 * position `r` of output `p = oh·OW + ow` reads inside the image, 0 where it reads the zero border.
 * It is simply im2col of an all-ones `H×W` image, and is the same for every plane.
 */
export function poolInsideMask(g: ConvGeometry): Float32Array {
  const one = { ...g, N: 1, C: 1 };
  const ones = new Float32Array(g.H * g.W).fill(1);
  const mask = new Float32Array(g.KH * g.KW * g.OH * g.OW);
  im2colInto(ones, one, mask);
  return mask;
}

/** Result of maxPool2d; also the record maxPool2dBackward needs (`argmax` and `xShape`). */
export interface MaxPoolResult {
  /** `[N, C, OH, OW]`: the max of each window. */
  y: Tensor;
  /** One entry per output, in y's order: the im2col row `kh·KW + kw` holding the max (first wins on ties). */
  argmax: Int32Array;
  /** The input's shape `[N, C, H, W]`. */
  xShape: readonly number[];
}

/** What maxPool2dBackward needs from the forward pass. */
export interface MaxPoolRecord {
  argmax: Int32Array;
  xShape: readonly number[];
}

function assertNoEmptyWindow(pg: PoolGeometry, mask: Float32Array, opts: PoolOptions, op: string): void {
  const { KH, KW, OH, OW } = pg.g;
  const rows = KH * KW;
  const P = OH * OW;
  for (let p = 0; p < P; p++) {
    let any = false;
    for (let r = 0; r < rows && !any; r++) any = mask[r * P + p] !== 0;
    if (!any) {
      const oh = Math.floor(p / OW);
      const ow = p % OW;
      throw new ConvConfigError(
        'padding',
        `${op}: padding ${describeValue(opts.padding)} leaves the ${KH}×${KW} window of output (${oh}, ${ow}) entirely in the zero border of x ${describeValue(pg.xShape)}; max pooling needs at least one real pixel per window, use less padding`,
      );
    }
  }
}

/**
 * Max pooling through im2col: `x` `[N, C, H, W]` → `y` `[N, C, OH, OW]`, each output the max of
 * its `KH×KW` window (options as PoolOptions: stride defaults to the window). Each channel is
 * im2col'ed as its own image, giving `[KH·KW, N·C·OH·OW]`, and each column is reduced.
 * Padding never wins: cells in the zero border are skipped (as if they were −∞), so a window of
 * negative pixels gives its largest pixel, not 0; padding so large that a window holds no pixel
 * at all throws ConvConfigError. A NaN in a window is propagated. `argmax` records the winning
 * row of each column (first on ties) for the backward pass.
 */
export function maxPool2d(x: Tensor, window: readonly [number, number] | readonly number[], opts: PoolOptions = {}): MaxPoolResult {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const pg = poolGeometry(x.shape, window, opts, 'maxPool2d');
  const { g } = pg;
  const rows = g.KH * g.KW;
  const P = g.OH * g.OW;
  const Q = g.N * P;
  const inside = poolInsideMask(g);
  assertNoEmptyWindow(pg, inside, opts, 'maxPool2d');
  const cols = new Float32Array(rows * Q);
  im2colInto(x.data, g, cols);
  const y = new Float32Array(Q);
  const argmax = new Int32Array(Q);
  for (let q = 0; q < Q; q++) {
    const p = q % P;
    let best = -Infinity;
    let arg = -1;
    for (let r = 0; r < rows; r++) {
      if (inside[r * P + p] === 0) continue;
      const v = cols[r * Q + q];
      if (v !== v) {
        best = v;
        arg = r;
        break;
      }
      if (arg < 0 || v > best) {
        best = v;
        arg = r;
      }
    }
    y[q] = best;
    argmax[q] = arg;
  }
  return { y: { shape: [...pg.yShape], data: y }, argmax, xShape: [...pg.xShape] };
}

function assertDyShape(dy: Tensor, yShape: readonly number[], op: string): void {
  assertTensor('dy', dy, 4, '[N, C, OH, OW]');
  if (!dy.shape.every((d, k) => d === yShape[k])) {
    throw new ConvConfigError(
      'dy',
      `${op}: dy must have the pooling's output shape [N, C, OH, OW] = ${describeValue([...yShape])}, got ${describeValue(dy.shape)}`,
    );
  }
}

/**
 * Called by routePoolGradient for every entry of the window matrix that receives a gradient:
 * row `r`, column `q` (= output q), and the value it receives.
 */
export type PoolRouteObserver = (r: number, q: number, value: number) => void;

/**
 * The routing of pooling's backward pass, shared by maxPool2dBackward, avgPool2dBackward and the
 * figure of lesson 9: the upstream gradient `dy` (one entry per output, in y's order `[N, C, OH,
 * OW]`, so entry q belongs to column q) goes into the window matrix dX_col `[rows, Q]` (rows =
 * KH·KW, Q = dy's length), which col2im then folds into dx.
 * - Max (`argmax` given, from maxPool2d): all of `dy[q]` goes to row `argmax[q]` of column q — the
 *   window position that won the max — and every other row of the column gets 0.
 * - Average (`argmax` null): every row of column q gets `dy[q] / rows` (rounded to float32 once).
 * `observe` (optional) is told every receiving entry, in column order. Throws ConvConfigError for
 * an argmax that is not an Int32Array of length Q or holds a row outside `[0, rows)`.
 */
export function routePoolGradient(
  dy: ArrayLike<number>,
  rows: number,
  argmax: Int32Array | null,
  observe?: PoolRouteObserver,
): Float32Array {
  const Q = dy.length;
  const cols = new Float32Array(rows * Q);
  if (argmax !== null) {
    if (!(argmax instanceof Int32Array) || argmax.length !== Q) {
      throw new ConvConfigError(
        'argmax',
        `maxPool2dBackward: argmax must be an Int32Array of length N·C·OH·OW = ${Q}, got ${argmax instanceof Int32Array ? `length ${argmax.length}` : describeValue(argmax)}`,
      );
    }
    for (let q = 0; q < Q; q++) {
      const r = argmax[q];
      if (!(r >= 0 && r < rows)) {
        throw new ConvConfigError('argmax', `maxPool2dBackward: argmax[${q}] must be a window row in [0, ${rows}), got ${r}`);
      }
      cols[r * Q + q] = dy[q];
      observe?.(r, q, cols[r * Q + q]);
    }
    return cols;
  }
  const share = new Float32Array(Q);
  for (let q = 0; q < Q; q++) share[q] = dy[q] / rows;
  for (let r = 0; r < rows; r++) cols.set(share, r * Q);
  if (observe) for (let q = 0; q < Q; q++) for (let r = 0; r < rows; r++) observe(r, q, share[q]);
  return cols;
}

/**
 * Max pooling backward: `dy` `[N, C, OH, OW]` → `dx` `[N, C, H, W]`. Each `dy` goes to the row of
 * its column that won the max (a zero `[KH·KW, N·C·OH·OW]` matrix otherwise), then col2im folds the
 * matrix back, so a pixel that wins several overlapping windows receives the sum. `source` is either
 * the forward input `x` (argmax is recomputed) or the forward result / a `{ argmax, xShape }` record.
 * `window` and `opts` must be those of the forward pass.
 */
export function maxPool2dBackward(
  dy: Tensor,
  source: Tensor | MaxPoolRecord,
  window: readonly [number, number] | readonly number[],
  opts: PoolOptions = {},
): Tensor {
  opts = checkOptions<PoolOptions>('maxPool2dBackward', opts, CONV_OPTION_KEYS);
  const record: MaxPoolRecord = source && 'argmax' in source ? source : maxPool2d(source as Tensor, window, opts);
  const pg = poolGeometry(record.xShape, window, opts, 'maxPool2dBackward');
  const { g } = pg;
  assertDyShape(dy, pg.yShape, 'maxPool2dBackward');
  // The switch: each dy to the row that won its column (routePoolGradient checks argmax).
  const cols = routePoolGradient(dy.data, g.KH * g.KW, record.argmax);
  const dx = new Float32Array(g.N * g.H * g.W);
  col2imInto(cols, g, dx);
  return { shape: [...pg.xShape], data: dx };
}

/**
 * Average pooling through im2col: `x` `[N, C, H, W]` → `[N, C, OH, OW]`, each output the mean of
 * the `KH·KW` entries of its im2col column. Zero padding counts in the mean (PyTorch's
 * `count_include_pad=True`): every window divides by `KH·KW` even where it overlaps the border.
 * Stride defaults to the window (see PoolOptions).
 */
export function avgPool2d(x: Tensor, window: readonly [number, number] | readonly number[], opts: PoolOptions = {}): Tensor {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const pg = poolGeometry(x.shape, window, opts, 'avgPool2d');
  const { g } = pg;
  const rows = g.KH * g.KW;
  const Q = g.N * g.OH * g.OW;
  const cols = new Float32Array(rows * Q);
  im2colInto(x.data, g, cols);
  const sums = new Float64Array(Q);
  for (let r = 0; r < rows; r++) {
    const base = r * Q;
    for (let q = 0; q < Q; q++) sums[q] += cols[base + q];
  }
  const y = new Float32Array(Q);
  for (let q = 0; q < Q; q++) y[q] = sums[q] / rows;
  return { shape: [...pg.yShape], data: y };
}

/**
 * Average pooling backward: `dy` `[N, C, OH, OW]` → `dx` of shape `xShape` `[N, C, H, W]`. Every
 * entry of a window's column receives `dy / (KH·KW)`; col2im folds the matrix back, summing where
 * windows overlap and dropping the share that fell on the padding.
 */
export function avgPool2dBackward(
  dy: Tensor,
  xShape: readonly number[],
  window: readonly [number, number] | readonly number[],
  opts: PoolOptions = {},
): Tensor {
  const pg = poolGeometry(xShape, window, opts, 'avgPool2dBackward');
  const { g } = pg;
  assertDyShape(dy, pg.yShape, 'avgPool2dBackward');
  // Every row of a column gets an equal share of its dy.
  const cols = routePoolGradient(dy.data, g.KH * g.KW, null);
  const dx = new Float32Array(g.N * g.H * g.W);
  col2imInto(cols, g, dx);
  return { shape: [...pg.xShape], data: dx };
}
