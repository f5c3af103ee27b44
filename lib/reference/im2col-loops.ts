import type { ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor, at, zeros } from '../tensor.ts';
import type { PatchCopy } from '../im2col/im2col.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';

/** Called once per entry of X_col, in loop order, with the loop's cursor and the copy (padded `y`, `x`). */
export type Im2colLoopObserver = (cursor: LoopCursor, copy: PatchCopy) => void;

/**
 * im2col as plain loops, written to be read: the reference lesson 2's code panel shows and its
 * figure replays. Copies every window of `x` (`[N, C, H, W]`) into its column of
 * `X_col` (`[C·KH·KW, N·OH·OW]`): window by window (column `q = (n·OH + oh)·OW + ow`), tap by
 * tap (row `r = (c·KH + kh)·KW + kw`), `X_col[r][q] = x[n][c][oh·sh + kh·dh − ph][ow·sw + kw·dw − pw]`,
 * zero where that falls in the padding. The same matrix as im2col (which fills it row by row).
 * Lines marked `// trace` are hidden from the code panel.
 */
export function im2colLoops(
  x: Tensor,
  kernel: readonly number[],
  opts: ConvOptions = {},
  observe?: Im2colLoopObserver, // trace
): Tensor {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const g = convGeometry(x.shape, kernel, opts);
  const { N, C, H, W, KH, KW, OH, OW } = g;
  const { sh, sw, ph, pw, dh, dw } = g;
  const Q = N * OH * OW;
  const cols = zeros([C * KH * KW, Q]);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const q = (n * OH + oh) * OW + ow; // the window's column
        observe?.({ mark: 'window', vars: [['n', n], ['oh', oh], ['ow', ow]] }, { row: -1, column: q, n, c: -1, kh: -1, kw: -1, oh, ow, y: -1, x: -1, value: 0, padding: false }); // trace
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const r = (c * KH + kh) * KW + kw; // the tap's row
              const i = oh * sh + kh * dh - ph;
              const j = ow * sw + kw * dw - pw;
              let value = 0; // zero padding
              const inside = i >= 0 && i < H && j >= 0 && j < W;
              if (inside) value = at(x, n, c, i, j);
              cols.data[r * Q + q] = value;
              observe?.({ mark: 'copy', vars: [['n', n], ['oh', oh], ['ow', ow], ['c', c], ['kh', kh], ['kw', kw]] }, { row: r, column: q, n, c, kh, kw, oh, ow, y: i + ph, x: j + pw, value, padding: !inside }); // trace
            }
          }
        }
      }
    }
  }
  return cols;
}

/** The lines of im2colLoops the code panel marks (fragments on exactly one line each): the window and the copy. */
export const IM2COL_LOOP_MARKS: Readonly<Record<'window' | 'copy', string>> = {
  window: "const q = (n * OH + oh) * OW + ow; // the window's column",
  copy: 'cols.data[r * Q + q] = value;',
};
