import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

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
 * came from the padding are dropped. With `observe`, reports each add with the value before and
 * after, in matrix order (row by row).
 */
export function col2imInto(
  cols: Float32Array,
  g: ConvGeometry,
  dx: Float32Array,
  observe?: (add: ScatterAdd) => void,
): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const Q = N * OH * OW;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const r = (c * KH + kh) * KW + kw;
        const rowBase = r * Q;
        for (let n = 0; n < N; n++) {
          const plane = (n * C + c) * H * W;
          for (let oh = 0; oh < OH; oh++) {
            const yp = oh * sh + kh * dh;
            const y = yp - ph;
            const inRow = y >= 0 && y < H;
            const dst = plane + y * W;
            const src = rowBase + (n * OH + oh) * OW;
            for (let ow = 0; ow < OW; ow++) {
              const xp = ow * sw + kw * dw;
              const xx = xp - pw;
              const inside = inRow && xx >= 0 && xx < W;
              const value = cols[src + ow];
              if (inside) {
                const before = dx[dst + xx];
                dx[dst + xx] = before + value;
                if (observe) {
                  observe({ row: r, column: src - rowBase + ow, n, c, kh, kw, oh, ow, y: yp, x: xp, value, dropped: false, before, after: dx[dst + xx] });
                }
              } else if (observe) {
                observe({ row: r, column: src - rowBase + ow, n, c, kh, kw, oh, ow, y: yp, x: xp, value, dropped: true, before: 0, after: 0 });
              }
            }
          }
        }
      }
    }
  }
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
  const g = convGeometry(xShape, kernel, opts);
  assertColsShape(cols, g);
  const dx = new Float32Array(g.N * g.C * g.H * g.W);
  col2imInto(cols.data, g, dx);
  return { shape: [g.N, g.C, g.H, g.W], data: dx };
}
