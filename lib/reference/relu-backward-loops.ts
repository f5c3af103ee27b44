import type { Tensor } from '../tensor.ts';
import { assertTensor, zeros } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import type { LoopCursor } from '../trace/loop-cursor.ts';

/**
 * What reluBackwardLoops reports for one output cell `(n, f, oh, ow)` (flat NCHW index `k`): the
 * pre-activation `z`, the upstream gradient `upstream` (∂L/∂A), whether ReLU let Z through
 * (`passes`, Z > 0) and the gated gradient `delta` (δ_Z) it stored.
 */
export interface ReluLoopEvent {
  k: number;
  n: number;
  f: number;
  oh: number;
  ow: number;
  z: number;
  upstream: number;
  passes: boolean;
  delta: number;
}

/** Called once per output cell, in loop order, with the loop's cursor and the event. */
export type ReluLoopObserver = (cursor: LoopCursor, event: ReluLoopEvent) => void;

/**
 * ReLU's backward pass as plain loops, written to be read: the reference lesson 6's code panel shows
 * and its figure replays. For the upstream gradient `dA` (∂L/∂A) and the pre-activation `z`, both
 * `[N, F, OH, OW]`, cell by cell `δ_Z = dA` where Z > 0 and 0 elsewhere (at Z = 0 and for NaN too):
 * the ReLU mask gates the gradient. The same numbers as reluBackward. Lines marked `// trace` are
 * hidden from the code panel.
 */
export function reluBackwardLoops(
  dA: Tensor,
  z: Tensor,
  observe?: ReluLoopObserver, // trace
): Tensor {
  assertTensor('z', z, 4, '[N, F, OH, OW]'); // trace
  assertTensor('dA', dA, 4, '[N, F, OH, OW]'); // trace
  if (dA.shape.some((d, k) => d !== z.shape[k])) throw new ConvConfigError('dA', `dA must have the shape of z ${describeValue(z.shape)}, got ${describeValue(dA.shape)}`); // trace
  const [N, F, OH, OW] = z.shape;
  const dZ = zeros([N, F, OH, OW]);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const k = ((n * F + f) * OH + oh) * OW + ow;
          const passes = z.data[k] > 0; // the mask: Z > 0
          dZ.data[k] = passes ? dA.data[k] : 0;
          observe?.({ mark: 'gate', vars: [['n', n], ['f', f], ['oh', oh], ['ow', ow]] }, { k, n, f, oh, ow, z: z.data[k], upstream: dA.data[k], passes, delta: dZ.data[k] }); // trace
        }
      }
    }
  }
  return dZ;
}

/** The lines of reluBackwardLoops the code panel marks (fragments on exactly one line each). */
export const RELU_LOOP_MARKS: Readonly<Record<'gate', string>> = {
  gate: 'dZ.data[k] = passes ? dA.data[k] : 0;',
};
