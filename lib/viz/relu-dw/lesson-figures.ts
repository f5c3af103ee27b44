/**
 * Lesson 6's build-time math: the seed ReLU example's chains as TeX, every matrix from the figure's
 * view (the engine's conv2d, relu and reluMask, and the reference loops' δ_Z, db and dW). Pure.
 */
import type { ConvSettings } from '../conv-settings.ts';
import { buildExample } from '../conv-settings.ts';
import { matrixTeX } from '../tex.ts';
import { formatValue } from '../format.ts';
import type { ReluDwView } from './view.ts';
import { buildReluDwView } from './view.ts';

/** The view of settings (throws ConvConfigError when the engine or the draw budget refuses them). */
export function reluDwViewOf(settings: ConvSettings): ReluDwView {
  return buildReluDwView(buildExample(settings));
}

/** The forward chain of plane (0, 0): `X ⊛ K = Z →ReLU A →mask M`. */
export function forwardChainTex(view: ReluDwView): string {
  const m = view.maps[0];
  return (
    `${matrixTeX(view.inputs[0].values)} \\circledast ${matrixTeX(view.kernels[0].grid)} = ${matrixTeX(m.z)}` +
    ` \\xrightarrow{\\text{ReLU}} ${matrixTeX(m.a)} \\xrightarrow{\\text{mask}} ${matrixTeX(m.mask)}`
  );
}

/** The gating of plane (0, 0): `upstream ⊙ mask = δ_Z`. */
export function deltaChainTex(view: ReluDwView): string {
  const m = view.maps[0];
  return `\\frac{\\partial L}{\\partial A} \\odot \\text{mask} = ${matrixTeX(m.upstream.grid)} \\odot ${matrixTeX(m.mask)} = ${matrixTeX(m.delta)} = \\delta_Z`;
}

/** The weight gradient of plane (0, 0) and the bias gradient of filter 0. */
export function gradientsTex(view: ReluDwView): string {
  return `\\frac{\\partial L}{\\partial W} = ${matrixTeX(view.dw[0].grid)}, \\qquad \\frac{\\partial L}{\\partial b} = ${formatValue(view.db[0][0])}`;
}
