/**
 * Build-time TeX for lesson 9: the figure's default example worked by the engine when the page is
 * built — x, its im2col matrix, the max and the mean of each column, and for dy = 1…4 the two
 * dX_col matrices (routePoolGradient) and their col2im, dx. Pure.
 */
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { matrixTeX } from '../tex.ts';
import { POOL_DEFAULTS, poolExample } from './settings.ts';
import { buildPoolView } from './view.ts';

/** The lesson's TeX blocks and the few numbers its prose quotes. */
export interface PoolingLessonFigures {
  tex: { x: string; cols: string; max: string; avg: string; maxCols: string; maxDx: string; avgCols: string; avgDx: string };
  values: { max: number[]; avg: number[]; argmax: number[]; maxDx: Grid; avgDx: Grid };
}

/** A row of values as a TeX row vector. */
function rowTeX(values: ArrayLike<number>): string {
  return matrixTeX([Array.from(values)]);
}

/** Computes every block of lesson 9 with the engine (see PoolingLessonFigures). */
export function poolingLessonFigures(): PoolingLessonFigures {
  const max = buildPoolView(poolExample(POOL_DEFAULTS));
  const avg = buildPoolView(poolExample({ ...POOL_DEFAULTS, mode: 1 }));
  const maxDx = planeOf(max.reference, 0, 0);
  const avgDx = planeOf(avg.reference, 0, 0);
  return {
    tex: {
      x: `x = ${matrixTeX(planeOf(max.example.x, 0, 0))}`,
      cols: `X_\\text{col} = ${matrixTeX(max.cols)}`,
      max: `\\max_\\text{column}\\,X_\\text{col} = ${rowTeX(max.y.data)}`,
      avg: `\\tfrac{1}{4}\\textstyle\\sum_\\text{column} X_\\text{col} = ${rowTeX(avg.y.data)}`,
      maxCols: `dX_\\text{col}^\\text{max} = ${matrixTeX(max.dcols)}`,
      maxDx: `\\operatorname{col2im}\\big(dX_\\text{col}^\\text{max}\\big) = ${matrixTeX(maxDx)}`,
      avgCols: `dX_\\text{col}^\\text{avg} = ${matrixTeX(avg.dcols)}`,
      avgDx: `\\operatorname{col2im}\\big(dX_\\text{col}^\\text{avg}\\big) = ${matrixTeX(avgDx)}`,
    },
    values: { max: Array.from(max.y.data), avg: Array.from(avg.y.data), argmax: Array.from(max.argmax ?? []), maxDx, avgDx },
  };
}
