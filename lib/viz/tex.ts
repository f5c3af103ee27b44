import type { Grid } from './grid.ts';
import { formatValue } from './format.ts';

/**
 * A grid as a TeX `bmatrix`, each value formatted like the figures' cells (formatValue), rows
 * separated by `\\` and values by `&`: `[[1, 2], [3, 4]]` → `\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}`.
 */
export function matrixTeX(grid: Grid): string {
  return `\\begin{bmatrix} ${grid.map((row) => row.map((v) => formatValue(v)).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
}
