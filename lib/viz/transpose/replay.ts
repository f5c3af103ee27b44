/**
 * The transposed-convolution figure's replay of its reference loop (lib/reference,
 * conv2dTransposeLoops): the taps the loop runs, grouped into one stamp per input pixel, in the
 * loop's order. Pure.
 */
import type { Tensor } from '../../tensor.ts';
import type { ConvTransposeOptions } from '../../ops/conv2d-transpose.ts';
import type { TransposeLoopEvent } from '../../reference/conv2d-transpose-loops.ts';
import type { TransposeStamp } from '../../trace/transpose-trace.ts';
import { conv2dTransposeLoops } from '../../reference/conv2d-transpose-loops.ts';

/**
 * One input pixel `(n, i, j)`'s stamp as the reference loop ran it: as the engine trace's
 * TransposeStamp (`inputs[f]` = `x[n][f][i][j]`, the corner `(top, left)` = `(i·sh − ph, j·sw − pw)`),
 * with the loop's taps in order (`kind: 'crop'` for a tap in the padding) instead of col2im's adds.
 */
export type ReplayedStamp = Omit<TransposeStamp, 'column' | 'adds'> & { taps: TransposeLoopEvent[] };

/** Runs conv2dTransposeLoops on `x`, `w` and returns its result and its stamps. */
export function replayTranspose(x: Tensor, w: Tensor, opts: ConvTransposeOptions): { y: Tensor; stamps: ReplayedStamp[] } {
  const stamps: ReplayedStamp[] = [];
  const [, F, H, W] = x.shape;
  const y = conv2dTransposeLoops(x, w, opts, (_, event) => {
    const last = stamps[stamps.length - 1];
    if (last && last.n === event.n && last.i === event.i && last.j === event.j) {
      last.taps.push(event);
      return;
    }
    const inputs = Array.from({ length: F }, (_, f) => x.data[((event.n * F + f) * H + event.i) * W + event.j]);
    // The first tap (c = kh = kw = 0) sits at the stamp's corner.
    stamps.push({ n: event.n, i: event.i, j: event.j, top: event.oh, left: event.ow, inputs, taps: [event] });
  });
  return { y, stamps };
}
