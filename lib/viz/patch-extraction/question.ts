import type { PickQuestion, TurnCell } from '../figure/your-turn.ts';
import { formatValue } from '../format.ts';
import type { PatchFigureStep, PatchView } from './view.ts';

const minus = (v: number) => String(v).replace(/^-/, '−');

/**
 * How the reader names a cell of input panel `input<p>` (padded coordinates): `x[1,1] = 5` (with
 * the image and channel in front when N or C > 1), or `the zero padding at (−1, 0)`.
 */
export function patchCellName(view: PatchView, cell: TurnCell): string {
  const p = view.panels[Number(cell.grid.replace(/^input/, ''))];
  if (!p || !cell.grid.startsWith('input')) return `cell (${cell.r}, ${cell.c}) of ${cell.grid}`;
  const { N, C, ph, pw } = view.geometry;
  const i = cell.r - ph;
  const j = cell.c - pw;
  const where = N > 1 ? ` of image ${p.n}, channel ${p.c}` : C > 1 ? ` of channel ${p.c}` : '';
  if (p.padding[cell.r]?.[cell.c] !== false) return `the zero padding at (${minus(i)}, ${minus(j)})${where}`;
  const coords = [i, j];
  if (C > 1 || N > 1) coords.unshift(p.c);
  if (N > 1) coords.unshift(p.n);
  return `x[${coords.join(',')}] = ${formatValue(p.values[cell.r][cell.c])}`;
}

/**
 * Patch extraction's "Your turn" question before step `index`: before each copy, the reader picks
 * the input pixel (or padding cell) X_col's entry is copied from, on the input grids. The expected
 * cell is where im2colLoops read it (its recorded copy). Null for a window's first step.
 */
export function patchQuestion(view: PatchView, steps: readonly PatchFigureStep[], index: number): PickQuestion | null {
  const copy = steps[index]?.copy;
  if (!copy) return null;
  const panel = view.panels.findIndex((p) => p.n === copy.n && p.c === copy.c);
  if (panel < 0) return null;
  const tap = `${view.geometry.C > 1 ? `channel ${copy.c}, ` : ''}kernel tap ${copy.kh},${copy.kw}`;
  return {
    kind: 'pick',
    prompt: `X_col[${copy.row}][${copy.column}] (window ${copy.column + 1}, ${tap}) comes from which input cell?`,
    expected: { grid: `input${panel}`, r: copy.y, c: copy.x },
    name: (cell) => patchCellName(view, cell),
  };
}
