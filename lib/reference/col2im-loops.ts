import type { ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { at, zeros } from '../tensor.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';
import { assertColsShape } from '../im2col/col2im.ts';

/**
 * What col2imLoops reports to an observer for matrix entry `(r, q)`: an add into pixel
 * `(n, c, y, x)` (`add`, with the pixel's value `before` and `after`), or an entry that came from
 * the padding and is dropped (`drop`, `before = after = 0`). `y`, `x` are unpadded coordinates.
 */
export interface Col2imLoopEvent {
  kind: 'add' | 'drop';
  r: number;
  q: number;
  n: number;
  oh: number;
  ow: number;
  c: number;
  kh: number;
  kw: number;
  y: number;
  x: number;
  value: number;
  before: number;
  after: number;
}

/** Called once per entry of the matrix, in loop order, with the loop's cursor and the event. */
export type Col2imLoopObserver = (cursor: LoopCursor, event: Col2imLoopEvent) => void;

/**
 * col2im as plain loops, written to be read: the reference lesson 7's code panel shows and its
 * figure replays. Folds `cols` (`[C·KH·KW, N·OH·OW]`) back into `[N, C, H, W]`: window by window
 * (column `q = (n·OH + oh)·OW + ow`), tap by tap (row `r = (c·KH + kh)·KW + kw`), every entry is
 * added into the pixel im2col copied it from; entries from the padding are dropped. The order is
 * col2imInto's, so the result is bit for bit col2im's. Lines marked `// trace` are hidden from
 * the code panel.
 */
export function col2imLoops(
  cols: Tensor,
  xShape: readonly number[],
  kernel: readonly number[],
  opts: ConvOptions = {},
  observe?: Col2imLoopObserver, // trace
): Tensor {
  const g = convGeometry(xShape, kernel, opts);
  assertColsShape(cols, g);
  const { N, C, H, W, KH, KW, OH, OW } = g;
  const { sh, sw, ph, pw, dh, dw } = g;
  const dx = zeros([N, C, H, W]);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const q = (n * OH + oh) * OW + ow; // the window
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const r = (c * KH + kh) * KW + kw; // the tap
              const i = oh * sh + kh * dh - ph;
              const j = ow * sw + kw * dw - pw;
              const value = at(cols, r, q);
              const vars = [['n', n], ['oh', oh], ['ow', ow], ['c', c], ['kh', kh], ['kw', kw]] as const; // trace
              if (i < 0 || i >= H || j < 0 || j >= W) {
                observe?.({ mark: 'drop', vars }, { kind: 'drop', r, q, n, oh, ow, c, kh, kw, y: i, x: j, value, before: 0, after: 0 }); // trace
                continue; // from the padding: dropped
              }
              const k = ((n * C + c) * H + i) * W + j;
              const before = dx.data[k]; // trace
              dx.data[k] += value;
              observe?.({ mark: 'add', vars }, { kind: 'add', r, q, n, oh, ow, c, kh, kw, y: i, x: j, value, before, after: dx.data[k] }); // trace
            }
          }
        }
      }
    }
  }
  return dx;
}

/**
 * The lines of col2imLoops the code panel marks (fragments on exactly one line each): the window
 * loop, the dropped padding entry and the add.
 */
export const COL2IM_LOOP_MARKS: Readonly<Record<'window' | 'drop' | 'add', string>> = {
  window: 'const q = (n * OH + oh) * OW + ow; // the window',
  drop: 'continue; // from the padding: dropped',
  add: 'dx.data[k] += value;',
};
