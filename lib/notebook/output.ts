/** The color role of a grid (the site's visual language: one color per role). */
export type OutputRole = 'input' | 'kernel' | 'matrix' | 'output' | 'gradient';

/** One plane of a tensor or one matrix, ready for the site's MatrixGrid. */
export interface OutputGrid {
  label: string;
  values: number[][];
  rowHeaders?: string[];
  colHeaders?: string[];
}

/**
 * One item of a cell's output, plain data that crosses from the worker to the page:
 * text (a shown number or string, or a console line with its level), a grid group (a tensor's
 * planes or a matrix, with the role that colors them and a note on what was left out or what rows
 * and columns mean), an error (message as thrown and the cell line), or a notice from the notebook
 * (e.g. that Stop reset the scope).
 */
export type OutputItem =
  | { kind: 'text'; text: string; label?: string }
  | { kind: 'log'; level: 'log' | 'info' | 'warn' | 'error'; text: string }
  | { kind: 'grids'; label: string; role: OutputRole; shape: number[]; grids: OutputGrid[]; notes: string[] }
  | { kind: 'error'; name: string; message: string; line: number | null }
  | { kind: 'notice'; text: string };
