import type { Tensor } from '../tensor.ts';
import { assertTensor, at, zeros } from '../tensor.ts';
import type { IndexMatrices } from '../im2col/indices.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';

/** What gatherLoops reports: a row starts (`row`, its channel `c`), or entry `(r, q)` is gathered (`gather`). */
export interface GatherLoopEvent {
  kind: 'row' | 'gather';
  r: number;
  c: number;
  /** Image, column of i/j and column of X_col (`q = n·columns + p`); −1 on a `row` event. */
  n: number;
  p: number;
  q: number;
  /** The padded position read and the value copied (0 from the padding); −1 / 0 on a `row` event. */
  y: number;
  x: number;
  value: number;
}

/** Called once per statement the figure animates, with the loop's cursor and the event. */
export type GatherLoopObserver = (cursor: LoopCursor, event: GatherLoopEvent) => void;

/**
 * Fancy indexing with the index matrices as plain loops, written to be read: the reference
 * lesson 3's code panel shows and its figure replays. Row by row of X_col, image by image, column
 * by column: `X_col[r][n·columns + p] = xpadded[n][d[r]][i[r][p]][j[r][p]]`, zero from the padding
 * `[ph, pw]` the indices were built for. The same matrix as gatherWithIndices and im2col.
 * Lines marked `// trace` are hidden from the code panel.
 */
export function gatherLoops(
  x: Tensor,
  idx: IndexMatrices,
  padding: readonly [number, number],
  observe?: GatherLoopObserver, // trace
): Tensor {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const [N, , H, W] = x.shape;
  const [ph, pw] = padding;
  const { rows, columns, i, j, d } = idx;
  const Q = N * columns;
  const cols = zeros([rows, Q]);
  for (let r = 0; r < rows; r++) {
    const c = d[r]; // the row's channel
    observe?.({ mark: 'row', vars: [['r', r], ['c', c]] }, { kind: 'row', r, c, n: -1, p: -1, q: -1, y: -1, x: -1, value: 0 }); // trace
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < columns; p++) {
        const q = n * columns + p;
        const y = i[r * columns + p] - ph;
        const xx = j[r * columns + p] - pw;
        let value = 0; // zero padding
        if (y >= 0 && y < H && xx >= 0 && xx < W) value = at(x, n, c, y, xx);
        cols.data[r * Q + q] = value;
        observe?.({ mark: 'gather', vars: [['r', r], ['n', n], ['p', p]] }, { kind: 'gather', r, c, n, p, q, y: y + ph, x: xx + pw, value }); // trace
      }
    }
  }
  return cols;
}

/** The lines of gatherLoops the code panel marks (fragments on exactly one line each): the row's channel and the gather. */
export const GATHER_LOOP_MARKS: Readonly<Record<'row' | 'gather', string>> = {
  row: "const c = d[r]; // the row's channel",
  gather: 'cols.data[r * Q + q] = value;',
};
