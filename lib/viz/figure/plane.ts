import type { Tensor } from '../../tensor.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';

/**
 * One drawn plane of a 4-D tensor (NCHW x, [F, C, KH, KW] w, [N, F, OH, OW] dY): its label, its
 * grid, its two leading indices and where its values sit in the flat tensor, so an edit of cell
 * `(r, c)` can be written back (planeIndex).
 */
export interface Plane {
  label: string;
  /** The plane's two leading indices: (n, c) for x, (f, c) for w, (n, f) for dY. */
  a: number;
  b: number;
  grid: Grid;
  /** Flat index of the plane's [0, 0] entry (flat index = offset + r·cols + c). */
  offset: number;
  cols: number;
}

/** Every plane of a 4-D tensor, in flat order, labelled by `label(a, b)`. */
export function planesOf(t: Tensor, label: (a: number, b: number) => string): Plane[] {
  const [A, B, rows, cols] = t.shape;
  const out: Plane[] = [];
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) out.push({ label: label(a, b), a, b, grid: planeOf(t, a, b), offset: (a * B + b) * rows * cols, cols });
  }
  return out;
}

/** The flat index of the value at `(r, c)` of a plane, for editing it. */
export function planeIndex(plane: Plane, r: number, c: number): number {
  return plane.offset + r * plane.cols + c;
}
