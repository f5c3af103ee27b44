import type { Tensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

/** One 2-D slice of a tensor as rows of numbers, ready to draw as a grid of cells. */
export type Grid = number[][];

/**
 * The `[rows, cols]` plane of a tensor: for a 2-D tensor the whole matrix; for a 4-D NCHW tensor
 * the plane `[n, c]` (defaults 0, 0). Throws ConvConfigError for other ranks or an index out of range.
 */
export function planeOf(t: Tensor, n = 0, c = 0): Grid {
  if (t.shape.length === 2) {
    const [rows, cols] = t.shape;
    return Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray(r * cols, (r + 1) * cols)));
  }
  if (t.shape.length !== 4) {
    throw new ConvConfigError('t', `planeOf needs a 2-D or 4-D tensor, got shape ${describeValue(t.shape)}`);
  }
  const [N, C, H, W] = t.shape;
  if (!Number.isInteger(n) || n < 0 || n >= N) throw new ConvConfigError('n', `n must be an integer in [0, ${N - 1}], got ${n}`);
  if (!Number.isInteger(c) || c < 0 || c >= C) throw new ConvConfigError('c', `c must be an integer in [0, ${C - 1}], got ${c}`);
  const base = (n * C + c) * H * W;
  return Array.from({ length: H }, (_, r) => Array.from(t.data.subarray(base + r * W, base + (r + 1) * W)));
}
