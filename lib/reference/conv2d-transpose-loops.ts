import type { Tensor } from '../tensor.ts';
import { at, zeros } from '../tensor.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';
import type { ConvTransposeOptions } from '../ops/conv2d-transpose.ts';
import { checkConvTransposeArgs } from '../ops/conv2d-transpose.ts';

/**
 * What conv2dTransposeLoops reports to an observer for one tap `(c, kh, kw)` of input pixel
 * `(n, i, j)`'s stamp: the output pixel `(oh, ow)` it reaches and its value `before` and `after`
 * the add (`add`), or a tap that lands in the cropped padding (`crop`, nothing written).
 */
export interface TransposeLoopEvent {
  kind: 'add' | 'crop';
  n: number;
  i: number;
  j: number;
  c: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  value: number;
  before: number;
  after: number;
}

/** Called once per tap, in loop order, with the loop's cursor and the event. */
export type TransposeLoopObserver = (cursor: LoopCursor, event: TransposeLoopEvent) => void;

/**
 * A transposed convolution as plain loops, written to be read: the reference lesson 11's code
 * panel shows and its figure replays. `x` `[N, F, H, W]`, `w` `[F, C, KH, KW]` → `[N, C, OH, OW]`
 * (no bias). Every input pixel stamps the kernel, weighted by its value, onto the output with the
 * stamp's corner at `(i·sh − ph, j·sw − pw)`; overlapping stamps add up and taps that land in the
 * padding are cropped. A tap's value is one entry of `W_rowᵀ·X_row` (summed over the input
 * channels f, rounded to float32 as the engine's matrix holds it), and the adds run in col2im's
 * order, so the result equals conv2dTranspose's (bit for bit with one input channel). Lines
 * marked `// trace` are hidden from the code panel.
 */
export function conv2dTransposeLoops(
  x: Tensor,
  w: Tensor,
  opts: ConvTransposeOptions = {},
  observe?: TransposeLoopObserver, // trace
): Tensor {
  const { N, F, C, H, W, OH, OW, forward } = checkConvTransposeArgs(x, w, null, opts);
  const { KH, KW, sh, sw, ph, pw, dh, dw } = forward;
  const y = zeros([N, C, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        // pixel (i, j) of x stamps the kernel onto y
        const vars = [['n', n], ['i', i], ['j', j]] as const; // trace
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              let sum = 0; // one entry of W_rowᵀ·X_row
              for (let f = 0; f < F; f++) sum += at(x, n, f, i, j) * at(w, f, c, kh, kw);
              const value = Math.fround(sum);
              const oh = i * sh + kh * dh - ph;
              const ow = j * sw + kw * dw - pw;
              if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) {
                observe?.({ mark: 'crop', vars }, { kind: 'crop', n, i, j, c, kh, kw, oh, ow, value, before: 0, after: 0 }); // trace
                continue; // in the padding: cropped
              }
              const k = ((n * C + c) * OH + oh) * OW + ow;
              const before = y.data[k]; // trace
              y.data[k] += value;
              observe?.({ mark: 'add', vars }, { kind: 'add', n, i, j, c, kh, kw, oh, ow, value, before, after: y.data[k] }); // trace
            }
          }
        }
      }
    }
  }
  return y;
}

/**
 * The lines of conv2dTransposeLoops the code panel marks (fragments on exactly one line each):
 * a tap's value (one entry of the pixel's column of W_rowᵀ·X_row), a cropped tap, the add, and
 * the finished result.
 */
export const TRANSPOSE_LOOP_MARKS: Readonly<Record<'value' | 'crop' | 'add' | 'done', string>> = {
  value: 'const value = Math.fround(sum);',
  crop: 'continue; // in the padding: cropped',
  add: 'y.data[k] += value;',
  done: 'return y;',
};
