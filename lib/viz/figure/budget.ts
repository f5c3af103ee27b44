import { ConvConfigError } from '../../errors.ts';

/**
 * The one draw budget of every figure: the most matrix cells a figure draws at once. Each figure's
 * `build` counts the grids that grow with its settings (its own doc says which: lesson 1 all of
 * them, lessons 2 and 7 the matrix and the image panels, lesson 3 X_col) and, over the budget,
 * refuses with checkDrawBudget's message; the frame keeps its last picture.
 */
export const DRAW_BUDGET = 2048;

/**
 * Throws ConvConfigError when a figure would draw more than DRAW_BUDGET cells, naming what is too
 * large, e.g. `the figure would draw 2,304 cells (X_col 36 × 64); it draws at most 2,048`.
 */
export function checkDrawBudget(cells: number, what: string): void {
  if (cells > DRAW_BUDGET) {
    throw new ConvConfigError(
      'settings',
      `the figure would draw ${cells.toLocaleString('en-US')} cells (${what}); it draws at most ${DRAW_BUDGET.toLocaleString('en-US')}`,
    );
  }
}
