import { ConvConfigError } from '../../errors.ts';

/**
 * The one draw budget of every figure: the most matrix cells a figure draws at once (all its grids
 * together). Over it the figure's `build` refuses with checkDrawBudget's message, and the frame
 * keeps its last picture.
 */
export const DRAW_BUDGET = 2048;

/**
 * Throws ConvConfigError when a figure would draw more than DRAW_BUDGET cells, naming what is too
 * large, e.g. `the figure would draw 2,304 cells (X_col 36 × 64); it draws at most 2,048`.
 */
export function checkDrawBudget(cells: number, what: string): void {
  if (cells > DRAW_BUDGET) {
    throw new ConvConfigError('settings', `the figure would draw ${cells.toLocaleString('en-US')} cells (${what}); it draws at most ${DRAW_BUDGET.toLocaleString('en-US')}`);
  }
}
