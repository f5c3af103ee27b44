/** Build-time numbers of lesson 8: the product count of the final convolution and the seed example as TeX. */
import { ConvConfigError } from '../../errors.ts';
import { buildExample } from '../conv-settings.ts';
import { matrixTeX as gridTeX } from '../tex.ts';
import { buildDilatedView, DILATED_DEFAULTS } from './view.ts';
import type { DilatedView } from './view.ts';

/** How many products of the final convolution there are, and how many multiply an inserted or padding zero. */
export interface ProductCount {
  total: number;
  /** Products whose gradient entry is one of the zeros added by the dilate or pad step. */
  wasted: number;
}

/**
 * Counts the products of the final convolution (from the trace) and those that land on a zero the
 * dilate or pad step put there — work the col2im route never does.
 */
export function productCount(view: DilatedView): ProductCount {
  const { sh, sw } = view.geometry;
  const { pad } = view.trace;
  const [DH, DW] = view.trace.plan.dilated;
  let total = 0;
  let wasted = 0;
  for (const cell of view.cells) {
    for (const t of cell.terms) {
      total += 1;
      const u = t.y - pad.top;
      const v = t.x - pad.left;
      if (u < 0 || u >= DH || v < 0 || v >= DW || u % sh !== 0 || v % sw !== 0) wasted += 1;
    }
  }
  return { total, wasted };
}

/** A grid as a TeX `bmatrix` (values formatted like the figures); matrixTeX of tex.ts. */
export { gridTeX };

/** The seed example's stages and result as TeX, every matrix computed by the engine. */
export interface SeedFigures {
  view: DilatedView;
  /** X, W and the settings. */
  operands: string;
  /** dY → dilated → padded. */
  gradient: string;
  /** W → rotated. */
  kernel: string;
  /** padded ⊛ rotated = dX. */
  result: string;
  /** dX by the dilated method = dX by col2im (only when they agree). */
  check: string;
}

/**
 * The lesson's worked example (the University of Pisa slides): X 4×4, W = [[1,2],[3,4]],
 * stride 2, dY = [[2,1],[3,5]], every stage and the resulting dX computed by the engine.
 */
export function seedFigures(): SeedFigures {
  const view = buildDilatedView(buildExample(DILATED_DEFAULTS));
  const g = view.geometry;
  const [x, w, dy] = [view.inputs[0].grid, view.kernels[0].grid, view.gradients[0].grid];
  const operands = `X = ${gridTeX(x)},\\qquad W = ${gridTeX(w)},\\qquad s = ${g.sh},\\; p = ${g.ph}`;
  const gradient =
    `dY = ${gridTeX(dy)} \\xrightarrow{\\text{dilate}} ${gridTeX(view.dilated[0].grid)} ` +
    `\\xrightarrow{\\text{pad}} ${gridTeX(view.padded[0].grid)}`;
  const kernel = `W = ${gridTeX(w)} \\xrightarrow{\\text{rotate } 180^\\circ} ${gridTeX(view.rotated[0].grid)}`;
  const result = `\\frac{\\partial L}{\\partial X} = ${gridTeX(view.padded[0].grid)} \\circledast ${gridTeX(view.rotated[0].grid)} = ${gridTeX(view.dx[0].grid)}`;
  if (view.agreeing !== view.total) throw new ConvConfigError('seed', 'the seed example’s two input gradients disagree');
  const check = `\\operatorname{col2im}\\!\\big(W_\\text{row}^{\\mathsf T}\\, dY_\\text{row}\\big) = ${gridTeX(view.col2im[0].grid)}`;
  return { view, operands, gradient, kernel, result, check };
}
