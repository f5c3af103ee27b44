/**
 * The marks a grid cell can carry, the same for every figure and MatrixGrid: `active` (the cell
 * this step computes or the reader points at), `source` (read by it), `target` (written by it),
 * `padding` (zero padding), `muted` (skipped). Drawn with outlines and patterns, never color alone.
 */
export type CellMark = 'active' | 'source' | 'target' | 'padding' | 'muted';

/** A grid of marks, `undefined` where a cell is drawn plainly. */
export type MarkGrid = (CellMark | undefined)[][];

/** An `rows × cols` grid with no marks. */
export function emptyMarks(rows: number, cols: number): MarkGrid {
  return Array.from({ length: rows }, () => new Array<CellMark | undefined>(cols).fill(undefined));
}

/** Where the reader points (hover or keyboard focus): a grid's name and a cell. Highlight only. */
export interface Pointer {
  grid: string;
  r: number;
  c: number;
}
