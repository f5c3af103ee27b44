import type { Tensor } from '../tensor.ts';
import { at, reshape, zeros } from '../tensor.ts';
import type { PoolOptions } from '../ops/pool.ts';
import { poolGeometry } from '../ops/pool.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';
import { im2colLoops } from './im2col-loops.ts';

/**
 * What the pooling loops report to an observer, once per statement the figure of lesson 9 steps
 * through, with the loop's cursor:
 * - `im2col`: the window matrix X_col `[KH·KW, N·C·OH·OW]` is built (`cols`);
 * - `skip` / `compare` / `sum`: window position `(kh, kw)` (row `r`) of column `q` is read — a
 *   padding position max pooling skips, a compare against the best so far (`best`, `arg` after
 *   it), or an add to the running sum (`best` holds the sum);
 * - `store`: output `q` is written (`value`; `arg` the winning row for max, −1 for average);
 * - `route`: dy[q] goes into column q of dX_col (`value` what each receiving row gets);
 * - `add` / `drop`: row `r` of dX_col column q is added into dx pixel `(y, x)` (unpadded; `before`,
 *   `after`), or lies in the padding and is dropped.
 */
export interface PoolLoopEvent {
  kind: 'im2col' | 'skip' | 'compare' | 'sum' | 'store' | 'route' | 'add' | 'drop';
  n: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  /** The column (= output) and the row (window position), −1 where none. */
  q: number;
  r: number;
  /** Unpadded input coordinates of `(kh, kw)`, −1 where none. */
  y: number;
  x: number;
  value: number;
  best: number;
  arg: number;
  before: number;
  after: number;
  cols?: Tensor;
}

/** Called once per reported statement, in loop order, with the loop's cursor and the event. */
export type PoolLoopObserver = (cursor: LoopCursor, event: PoolLoopEvent) => void;

const NONE = { n: -1, c: -1, oh: -1, ow: -1, kh: -1, kw: -1, q: -1, r: -1, y: -1, x: -1, value: 0, best: 0, arg: -1, before: 0, after: 0 }; // trace

/** The planes of `x` `[N, C, H, W]` as `N·C` one-channel images and pooling's im2col of them. */
function planeColumns(x: Tensor, window: readonly number[], opts: PoolOptions, op: string) {
  const pg = poolGeometry(x.shape, window, opts, op);
  const [N, C, H, W] = pg.xShape;
  const { sh, sw, ph, pw, dh, dw } = pg.g;
  const planes = reshape(x, [N * C, 1, H, W]);
  return { pg, planes, opts: { stride: [sh, sw] as const, padding: [ph, pw] as const, dilation: [dh, dw] as const } };
}

/**
 * Max pooling as plain loops, written to be read: the reference lesson 9's code panel shows and
 * its figure replays. Every channel plane of `x` `[N, C, H, W]` is its own one-channel image, so
 * im2col gives X_col `[KH·KW, N·C·OH·OW]` (column `q = ((n·C + c)·OH + oh)·OW + ow`, row
 * `r = kh·KW + kw`); each column is scanned for its largest entry, skipping window positions in the
 * padding (padding never wins); the first of equal maxima wins and a NaN, once met, stays. Returns
 * `y` `[N, C, OH, OW]` and the winning rows `argmax` (maxPool2d's). A window lying wholly in the
 * padding gives −∞ and row −1 (maxPool2d refuses such a pooling). Lines marked `// trace` are
 * hidden from the code panel.
 */
export function maxPool2dLoops(
  x: Tensor,
  window: readonly number[],
  opts: PoolOptions = {},
  observe?: PoolLoopObserver, // trace
): { y: Tensor; argmax: Int32Array } {
  const { pg, planes, opts: conv } = planeColumns(x, window, opts, 'maxPool2d');
  const [N, C, H, W] = pg.xShape;
  const { KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = pg.g;
  const cols = im2colLoops(planes, window, conv); // X_col
  observe?.({ mark: 'im2col', vars: [] }, { ...NONE, kind: 'im2col', cols }); // trace
  const y = zeros([N, C, OH, OW]);
  const argmax = new Int32Array(N * C * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const q = ((n * C + c) * OH + oh) * OW + ow; // its column
          let best = -Infinity;
          let arg = -1;
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const r = kh * KW + kw; // its row
              const i = oh * sh + kh * dh - ph;
              const j = ow * sw + kw * dw - pw;
              const vars = [['n', n], ['c', c], ['oh', oh], ['ow', ow], ['kh', kh], ['kw', kw]] as const; // trace
              const where = { n, c, oh, ow, kh, kw, q, r, y: i, x: j, before: 0, after: 0 }; // trace
              if (i < 0 || i >= H || j < 0 || j >= W) {
                observe?.({ mark: 'skip', vars }, { ...where, kind: 'skip', value: 0, best, arg }); // trace
                continue; // padding never wins
              }
              const v = at(cols, r, q);
              if (arg < 0 || v > best || (v !== v && best === best)) {
                best = v; // a new max
                arg = r;
              }
              observe?.({ mark: 'compare', vars }, { ...where, kind: 'compare', value: v, best, arg }); // trace
            }
          }
          y.data[q] = best;
          argmax[q] = arg;
          observe?.({ mark: 'store', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow]] }, { ...NONE, n, c, oh, ow, q, kind: 'store', value: y.data[q], best, arg }); // trace
        }
      }
    }
  }
  return { y, argmax };
}

/**
 * Average pooling as plain loops (see maxPool2dLoops): the mean of every column of X_col, padding
 * zeros included (every window divides by KH·KW), summed in row order as avgPool2d does. Returns
 * `y` `[N, C, OH, OW]`.
 */
export function avgPool2dLoops(
  x: Tensor,
  window: readonly number[],
  opts: PoolOptions = {},
  observe?: PoolLoopObserver, // trace
): Tensor {
  const { pg, planes, opts: conv } = planeColumns(x, window, opts, 'avgPool2d');
  const [N, C] = pg.xShape;
  const { KH, KW, OH, OW } = pg.g;
  const cols = im2colLoops(planes, window, conv); // X_col
  observe?.({ mark: 'im2col', vars: [] }, { ...NONE, kind: 'im2col', cols }); // trace
  const y = zeros([N, C, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const q = ((n * C + c) * OH + oh) * OW + ow; // its column
          let sum = 0;
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const r = kh * KW + kw; // its row
              sum += at(cols, r, q); // padding adds its zero
              observe?.({ mark: 'sum', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow], ['kh', kh], ['kw', kw]] }, { ...NONE, n, c, oh, ow, kh, kw, q, r, kind: 'sum', value: at(cols, r, q), best: sum }); // trace
            }
          }
          y.data[q] = sum / (KH * KW);
          observe?.({ mark: 'store', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow]] }, { ...NONE, n, c, oh, ow, q, kind: 'store', value: y.data[q], best: sum }); // trace
        }
      }
    }
  }
  return y;
}

/**
 * Max pooling's backward pass as plain loops: the gradient `dy` `[N, C, OH, OW]` of each window
 * goes whole into the row of its column of dX_col that won the max (`argmax`, from the forward
 * pass: the "switch"), and is added from there into the pixel of `dx` `[N, C, H, W]` that row was
 * copied from, so a pixel that won several windows collects the sum. The order of the adds is
 * col2im's, so `dx` is maxPool2dBackward's bit for bit. Returns `dx` and `dcols` `[KH·KW, N·C·OH·OW]`.
 */
export function maxPool2dBackwardLoops(
  dy: Tensor,
  argmax: Int32Array,
  xShape: readonly number[],
  window: readonly number[],
  opts: PoolOptions = {},
  observe?: PoolLoopObserver, // trace
): { dx: Tensor; dcols: Tensor } {
  const { g } = poolGeometry(xShape, window, opts, 'maxPool2dBackward');
  const [N, C, H, W] = xShape;
  const { KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = g;
  const Q = N * C * OH * OW;
  const dcols = zeros([KH * KW, Q]); // dX_col
  const dx = zeros([N, C, H, W]);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const q = ((n * C + c) * OH + oh) * OW + ow; // its column
          const r = argmax[q]; // the row that won the max
          dcols.data[r * Q + q] = dy.data[q]; // all of dy to the winner
          observe?.({ mark: 'route', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow], ['r', r]] }, { ...NONE, n, c, oh, ow, q, r, kind: 'route', value: dcols.data[r * Q + q] }); // trace
          const kh = Math.floor(r / KW);
          const kw = r % KW;
          const i = oh * sh + kh * dh - ph;
          const j = ow * sw + kw * dw - pw;
          const k = ((n * C + c) * H + i) * W + j;
          const before = dx.data[k]; // trace
          dx.data[k] += dcols.data[r * Q + q]; // col2im
          observe?.({ mark: 'add', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow], ['kh', kh], ['kw', kw]] }, { n, c, oh, ow, kh, kw, q, r, y: i, x: j, kind: 'add', value: dcols.data[r * Q + q], best: 0, arg: r, before, after: dx.data[k] }); // trace
        }
      }
    }
  }
  return { dx, dcols };
}

/**
 * Average pooling's backward pass as plain loops: every row of a window's column of dX_col gets
 * `dy / (KH·KW)` (each entry of the window made up that share of the mean), and col2im adds the
 * column into the window's pixels of `dx` `[N, C, H, W]`, dropping the shares on the padding. The
 * order of the adds is col2im's, so `dx` is avgPool2dBackward's bit for bit. Returns `dx` and `dcols`.
 */
export function avgPool2dBackwardLoops(
  dy: Tensor,
  xShape: readonly number[],
  window: readonly number[],
  opts: PoolOptions = {},
  observe?: PoolLoopObserver, // trace
): { dx: Tensor; dcols: Tensor } {
  const { g } = poolGeometry(xShape, window, opts, 'avgPool2dBackward');
  const [N, C, H, W] = xShape;
  const { KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = g;
  const R = KH * KW;
  const Q = N * C * OH * OW;
  const dcols = zeros([R, Q]); // dX_col
  const dx = zeros([N, C, H, W]);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const q = ((n * C + c) * OH + oh) * OW + ow; // its column
          for (let r = 0; r < R; r++) dcols.data[r * Q + q] = dy.data[q] / R; // equal shares
          observe?.({ mark: 'route', vars: [['n', n], ['c', c], ['oh', oh], ['ow', ow]] }, { ...NONE, n, c, oh, ow, q, kind: 'route', value: dcols.data[q] }); // trace
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const r = kh * KW + kw; // its row
              const i = oh * sh + kh * dh - ph;
              const j = ow * sw + kw * dw - pw;
              const vars = [['n', n], ['c', c], ['oh', oh], ['ow', ow], ['kh', kh], ['kw', kw]] as const; // trace
              const where = { n, c, oh, ow, kh, kw, q, r, y: i, x: j, value: dcols.data[r * Q + q], best: 0, arg: -1 }; // trace
              if (i < 0 || i >= H || j < 0 || j >= W) {
                observe?.({ mark: 'drop', vars }, { ...where, kind: 'drop', before: 0, after: 0 }); // trace
                continue; // a share on the padding is dropped
              }
              const k = ((n * C + c) * H + i) * W + j;
              const before = dx.data[k]; // trace
              dx.data[k] += dcols.data[r * Q + q]; // col2im
              observe?.({ mark: 'add', vars }, { ...where, kind: 'add', before, after: dx.data[k] }); // trace
            }
          }
        }
      }
    }
  }
  return { dx, dcols };
}

/** The lines the code panel marks in each pooling loop (fragments on exactly one line of their function). */
export const POOL_LOOP_MARKS = {
  maxForward: { im2col: 'const cols = im2colLoops(', skip: 'continue; // padding never wins', compare: 'if (arg < 0 || v > best', store: 'y.data[q] = best;' },
  avgForward: { im2col: 'const cols = im2colLoops(', sum: 'sum += at(cols, r, q);', store: 'y.data[q] = sum / (KH * KW);' },
  maxBackward: { route: 'dcols.data[r * Q + q] = dy.data[q];', add: 'dx.data[k] += dcols.data[r * Q + q];', done: 'return { dx, dcols };' },
  avgBackward: { route: 'dcols.data[r * Q + q] = dy.data[q] / R;', drop: 'continue; // a share on the padding', add: 'dx.data[k] += dcols.data[r * Q + q];', done: 'return { dx, dcols };' },
} as const;

/** The function of each code panel of POOL_LOOP_MARKS. */
export const POOL_LOOP_FUNCTIONS: Readonly<Record<keyof typeof POOL_LOOP_MARKS, string>> = {
  maxForward: 'maxPool2dLoops',
  avgForward: 'avgPool2dLoops',
  maxBackward: 'maxPool2dBackwardLoops',
  avgBackward: 'avgPool2dBackwardLoops',
};
