import type { Grid } from '../grid.ts';
import type { PlaygroundView } from './view.ts';
import type { PlaygroundStep } from './steps.ts';
import { outputBlank } from './marks.ts';
import { formatValue } from '../format.ts';
import { grayLevels, maxAbs } from '../trainer/gray.ts';

/**
 * A grid too large for numbered cells (a 28 × 28 digit and its output), drawn as a gray picture:
 * the engine's values row-major and their gray levels. Unsigned values (all ≥ 0) run from black 0
 * to white at the largest; signed ones put 0 at mid-gray, −m black and +m white (m the largest |v|).
 */
export interface PlaygroundPicture {
  rows: number;
  cols: number;
  /** The engine's numbers, row-major (read out on hover and focus). */
  values: Float32Array;
  /** Gray levels in [0, 1], row-major (grayLevels). */
  levels: Float32Array;
  /** What the grays mean, e.g. `black 0 … white 255` or `mid-gray 0, black −1020, white +1020`. */
  legend: string;
}

const minus = (v: number) => formatValue(v).replace(/^-/, '−');

/** The picture of a grid of values (see PlaygroundPicture). */
export function pictureOf(grid: Grid): PlaygroundPicture {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const values = Float32Array.from(grid.flat());
  const scale = maxAbs(values);
  const signed = values.some((v) => v < 0);
  const legend = signed ? `mid-gray 0, black −${minus(scale)}, white +${minus(scale)}` : `black 0 … white ${minus(scale)}`;
  return { rows, cols, values, levels: grayLevels(values, scale, signed), legend };
}

/**
 * What a picture pixel reads out on hover or focus: `x[12,5] = 253`, `padding (−1, 0) = 0`, or
 * `out[3,4] = −512` (`out[3,4]: not computed yet` before the loops store it). `(r, c)` are the
 * picture's own rows and columns (padded for the input).
 */
export function pictureText(view: PlaygroundView, step: PlaygroundStep, grid: 'input' | 'output', r: number, c: number): string {
  if (grid === 'output') {
    const v = view.output[r]?.[c];
    if (v === undefined) return '';
    return outputBlank(view, step, r, c) ? `out[${r},${c}]: not computed yet` : `out[${r},${c}] = ${minus(v)}`;
  }
  const { ph, pw } = view.geometry;
  const v = view.padded[r]?.[c];
  if (v === undefined) return '';
  return view.paddingMask[r][c] ? `padding (${minus(r - ph)}, ${minus(c - pw)}) = 0` : `x[${r - ph},${c - pw}] = ${minus(v)}`;
}
