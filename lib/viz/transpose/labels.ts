import type { TransposeView } from './view.ts';

/**
 * The grids' accessible names and captions, and where an edited cell's value sits in the
 * settings' value lists (x row-major `[F, H, W]`, k `[F, C, KH, KW]`). Pure.
 */
export interface TransposeLabels {
  input(f: number): string;
  kernel(f: number, c: number): string;
  output(c: number): string;
  overlap: string;
  zeroInsertion(c: number): string;
  /** The stamp of input pixel `(i, j)` for output channel c. */
  stamp(c: number, i: number, j: number): string;
  gradient(c: number): string;
}

/** Captions for the grids of `view` (channel numbers only when there are several). */
export function transposeLabels(view: TransposeView): TransposeLabels {
  const { F, C, H, W, OH, OW, forward } = view.example.shapes;
  const fIn = (f: number) => (F > 1 ? `, channel ${f}` : '');
  const cOut = (c: number) => (C > 1 ? `, channel ${c}` : '');
  return {
    input: (f) => `Input x${fIn(f)} (${H}×${W})`,
    kernel: (f, c) => `Kernel w[${f}][${c}] (${forward.KH}×${forward.KW})`,
    output: (c) => `Output y${cOut(c)} (${OH}×${OW}), running sums`,
    overlap: `Overlap: taps reaching each output pixel`,
    zeroInsertion: (c) => `Zero-insertion method${cOut(c)}`,
    stamp: (c, i, j) => `Stamp of x(${i}, ${j})${cOut(c)}`,
    gradient: (c) => `Lesson 7's input gradient${cOut(c)}`,
  };
}

/** Index in the settings' `x` list of input pixel `(r, q)` of channel `f`. */
export function inputValueIndex(view: TransposeView, f: number, r: number, q: number): number {
  const { H, W } = view.example.shapes;
  return (f * H + r) * W + q;
}

/** Index in the settings' `w` list of kernel tap `(r, q)` of `w[f][c]`. */
export function kernelValueIndex(view: TransposeView, f: number, c: number, r: number, q: number): number {
  const { C, forward } = view.example.shapes;
  return ((f * C + c) * forward.KH + r) * forward.KW + q;
}
