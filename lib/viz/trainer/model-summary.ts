import type { ModelPreset } from '../../train/model.ts';
import { convGeometry } from '../../geometry.ts';
import { formatInteger } from './format.ts';

/** One row of the model summary table. */
export interface SummaryRow {
  /** `conv 1→32, 2×2, stride 2, padding 0, ReLU`. */
  readonly layer: string;
  /** The output of one image, `32 × 14 × 14` (C × H × W) or `250`. */
  readonly output: string;
  readonly params: number;
  /** A convolution's im2col matrix for the batch, `[C·KH·KW, N·OH·OW]` as `4 × 12,544`; null otherwise. */
  readonly im2col: string | null;
}

/** The summary: a row per layer and the total parameter count. */
export interface ModelSummary {
  readonly rows: readonly SummaryRow[];
  readonly totalParams: number;
}

/**
 * The model's layers as the engine's geometry sees them (convGeometry), for `batch` images:
 * each layer's output shape per image, its parameters (weights + biases) and, for a convolution,
 * the size of the im2col matrix it builds for the whole batch.
 */
export function modelSummary(preset: ModelPreset, batch: number): ModelSummary {
  let [c, h, w] = preset.input;
  const rows: SummaryRow[] = [];
  for (const layer of preset.layers) {
    if (layer.kind === 'conv') {
      const g = convGeometry([batch, c, h, w], [layer.k, layer.k], { stride: layer.stride, padding: layer.padding });
      const params = layer.outC * layer.inC * layer.k * layer.k + layer.outC;
      rows.push({
        layer: `conv ${layer.inC}→${layer.outC}, ${layer.k}×${layer.k}, stride ${layer.stride}, padding ${layer.padding}${layer.relu ? ', ReLU' : ''}`,
        output: `${layer.outC} × ${g.OH} × ${g.OW}`,
        params,
        im2col: `${formatInteger(layer.inC * layer.k * layer.k)} × ${formatInteger(batch * g.OH * g.OW)}`,
      });
      [c, h, w] = [layer.outC, g.OH, g.OW];
    } else if (layer.kind === 'flatten') {
      rows.push({ layer: 'flatten', output: formatInteger(c * h * w), params: 0, im2col: null });
    } else {
      rows.push({ layer: `dense ${layer.in}→${layer.out}${layer.relu ? ', ReLU' : ''}`, output: formatInteger(layer.out), params: layer.in * layer.out + layer.out, im2col: null });
    }
  }
  return { rows, totalParams: rows.reduce((a, r) => a + r.params, 0) };
}
