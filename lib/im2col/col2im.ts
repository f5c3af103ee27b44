import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/**
 * One step of col2im: matrix cell `(row, column)` holding `value` goes back to channel `c` of image
 * `n` at padded position `(y, x)`. When `dropped` is true the position is in the zero border and
 * the value is discarded; otherwise pixel `(y − ph, x − pw)` goes from `before` to `after`.
 */
export interface ScatterAdd {
  row: number;
  column: number;
  n: number;
  c: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  y: number;
  x: number;
  value: number;
  dropped: boolean;
  before: number;
  after: number;
}

/**
 * The col2im loop on raw buffers: adds every entry of `cols` (`[C·KH·KW, N·OH·OW]`) into `dx`
 * (`[N, C, H, W]`, accumulated into, not cleared) at the pixel im2col copied it from. Entries that
 * came from the padding are dropped.
 *
 * The order is part of the contract: window by window, i.e. column by column
 * (`q = (n·OH + oh)·OW + ow` increasing), and inside a column row by row
 * (`r = (c·KH + kh)·KW + kw` increasing). Each window is folded back completely before the next
 * one starts, so replaying one column per step shows exactly the running values the engine had.
 * With `observe`, reports every entry in that order: kept ones with the pixel's value before and
 * after the add, dropped ones with `dropped: true` and `before = after = 0`.
 */
export function col2imInto(cols: Float32Array, g: ConvGeometry, dx: Float32Array, observe?: (add: ScatterAdd) => void): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const R = C * KH * KW;
  const Q = N * OH * OW;
  // Where tap r = (c·KH + kh)·KW + kw sits in every window, computed once: row kh·dh, column
  // kw·dw, and offset (c·H + kh·dh)·W + kw·dw from the window's top-left pixel.
  const tapY = new Int32Array(R);
  const tapX = new Int32Array(R);
  const tapOffset = new Int32Array(R);
  for (let c = 0, r = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++, r++) {
        tapY[r] = kh * dh;
        tapX[r] = kw * dw;
        tapOffset[r] = (c * H + kh * dh) * W + kw * dw;
      }
    }
  }
  const reachY = (KH - 1) * dh;
  const reachX = (KW - 1) * dw;
  let q = 0; // the column: (n·OH + oh)·OW + ow
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const top = oh * sh - ph; // the window's top row in the image (negative: in the padding)
      const rowsInside = top >= 0 && top + reachY < H;
      for (let ow = 0; ow < OW; ow++, q++) {
        const left = ow * sw - pw;
        const corner = (n * C * H + top) * W + left; // where the window's top-left pixel would be
        if (!observe && rowsInside && left >= 0 && left + reachX < W) {
          // The whole window lies in the image: the same adds in the same order, without the checks.
          for (let r = 0, src = q; r < R; r++, src += Q) dx[corner + tapOffset[r]] += cols[src];
          continue;
        }
        for (let r = 0, src = q; r < R; r++, src += Q) {
          const y = top + tapY[r];
          const x = left + tapX[r];
          const value = cols[src];
          if (y >= 0 && y < H && x >= 0 && x < W) {
            const k = corner + tapOffset[r];
            const before = dx[k];
            dx[k] = before + value;
            if (observe) observe(scatterAdd(g, r, q, n, oh, ow, value, false, before, dx[k]));
          } else if (observe) {
            observe(scatterAdd(g, r, q, n, oh, ow, value, true, 0, 0));
          }
        }
      }
    }
  }
}

/** The ScatterAdd event of entry (`row`, `column`), built only when observing. */
function scatterAdd(
  g: ConvGeometry,
  row: number,
  column: number,
  n: number,
  oh: number,
  ow: number,
  value: number,
  dropped: boolean,
  before: number,
  after: number,
): ScatterAdd {
  const kw = row % g.KW;
  const kh = Math.floor(row / g.KW) % g.KH;
  const c = Math.floor(row / (g.KW * g.KH));
  const y = oh * g.sh + kh * g.dh;
  const x = ow * g.sw + kw * g.dw;
  return { row, column, n, c, kh, kw, oh, ow, y, x, value, dropped, before, after };
}

/**
 * Checks that `cols` is a 2-D tensor of shape `[C·KH·KW, N·OH·OW]` for geometry `g`; throws
 * ConvConfigError naming `cols` and the expected shape otherwise.
 */
export function assertColsShape(cols: Tensor, g: ConvGeometry): void {
  assertTensor('cols', cols, 2, '[C·KH·KW, N·OH·OW]');
  const rows = g.C * g.KH * g.KW;
  const columns = g.N * g.OH * g.OW;
  if (cols.shape[0] !== rows || cols.shape[1] !== columns) {
    throw new ConvConfigError(
      'cols',
      `cols must have shape [C·KH·KW, N·OH·OW] = ${describeValue([rows, columns])} for this geometry, got ${describeValue(cols.shape)}`,
    );
  }
}

/**
 * col2im, the adjoint of im2col: folds `cols` (`[C·KH·KW, N·OH·OW]`) back into an image of shape
 * `xShape` (`[N, C, H, W]`), summing where windows overlap and dropping entries from the padding.
 * Throws ConvConfigError when cols' shape does not match the geometry.
 */
export function col2im(
  cols: Tensor,
  xShape: readonly number[],
  kernel: readonly [number, number] | readonly number[],
  opts: ConvOptions = {},
): Tensor {
  const g = convGeometry(xShape, kernel, opts, 'col2im');
  assertColsShape(cols, g);
  checkBufferSizes('col2im', { 'the output': [g.N, g.C, g.H, g.W] });
  const dx = new Float32Array(g.N * g.C * g.H * g.W);
  col2imInto(cols.data, g, dx);
  return { shape: [g.N, g.C, g.H, g.W], data: dx };
}
