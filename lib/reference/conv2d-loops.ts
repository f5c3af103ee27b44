import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { at, zeros } from '../tensor.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';
import { checkConvArgs } from '../ops/check-conv.ts';

/**
 * What conv2dLoops reports to an observer: a multiply-add (`tap`), a tap that falls in the zero
 * padding and is skipped (`pad`), or an output value written (`store`). `row`/`col` are the input
 * position in unpadded coordinates (negative or past the edge on padding); `sum` is the running
 * sum after the event (float64, as the loop holds it; `store` writes it rounded to float32).
 */
export interface Conv2dLoopEvent {
  kind: 'tap' | 'pad' | 'store';
  n: number;
  f: number;
  oh: number;
  ow: number;
  c: number;
  kh: number;
  kw: number;
  row: number;
  col: number;
  /** The input value and weight of a tap (0 for `pad` and `store`). */
  input: number;
  weight: number;
  sum: number;
}

/** Called once per statement the figure animates, with the loop's cursor and the event. */
export type Conv2dLoopObserver = (cursor: LoopCursor, event: Conv2dLoopEvent) => void;

/**
 * 2-D convolution as the seven plain loops of its definition, written to be read: the reference
 * the code panel of lesson 1 shows and the figure replays. `x` `[N, C, H, W]`, `w`
 * `[F, C, KH, KW]`, `b` `[F]` or null → `[N, F, OH, OW]`, `y[n][f][oh][ow] = b[f] +
 * Σ_{c,kh,kw} w[f][c][kh][kw] · x[n][c][oh·sh + kh·dh − ph][ow·sw + kw·dw − pw]`, taps in the
 * zero padding skipped. Sums in float64 in the order c, kh, kw, rounded once: bit for bit the
 * same as conv2dNaive. `observe` (lines marked `// trace` are hidden from the code panel) sees
 * every tap, skipped tap and store in loop order.
 */
export function conv2dLoops(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  opts: ConvOptions = {},
  observe?: Conv2dLoopObserver, // trace
): Tensor {
  const g = checkConvArgs(x, w, b, opts);
  const { N, C, H, W, F, KH, KW, OH, OW } = g;
  const { sh, sw, ph, pw, dh, dw } = g;
  const y = zeros([N, F, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let sum = b ? b.data[f] : 0;
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < KH; kh++) {
              for (let kw = 0; kw < KW; kw++) {
                const i = oh * sh + kh * dh - ph;
                const j = ow * sw + kw * dw - pw;
                const vars = [['n', n], ['f', f], ['oh', oh], ['ow', ow], ['c', c], ['kh', kh], ['kw', kw]] as const; // trace
                if (i < 0 || i >= H || j < 0 || j >= W) {
                  observe?.({ mark: 'pad', vars }, { kind: 'pad', n, f, oh, ow, c, kh, kw, row: i, col: j, input: 0, weight: 0, sum }); // trace
                  continue; // zero padding adds nothing
                }
                const wv = at(w, f, c, kh, kw);
                const xv = at(x, n, c, i, j);
                sum += wv * xv;
                observe?.({ mark: 'multiply', vars }, { kind: 'tap', n, f, oh, ow, c, kh, kw, row: i, col: j, input: xv, weight: wv, sum }); // trace
              }
            }
          }
          y.data[((n * F + f) * OH + oh) * OW + ow] = sum;
          observe?.({ mark: 'store', vars: [['n', n], ['f', f], ['oh', oh], ['ow', ow]] }, { kind: 'store', n, f, oh, ow, c: 0, kh: 0, kw: 0, row: 0, col: 0, input: 0, weight: 0, sum }); // trace
        }
      }
    }
  }
  return y;
}

/**
 * The lines of conv2dLoops the code panel marks, each a fragment found on exactly one line (see
 * extractSnippet): the skipped padding tap, the multiply-add and the store of an output value.
 */
export const CONV2D_LOOP_MARKS: Readonly<Record<'pad' | 'multiply' | 'store', string>> = {
  pad: 'continue; // zero padding adds nothing',
  multiply: 'sum += wv * xv;',
  store: 'y.data[((n * F + f) * OH + oh) * OW + ow] = sum;',
};
