import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import { RELU_DW_DEFAULTS, RELU_DW_PRESETS } from './presets.ts';
import type { ReluDwStep } from './steps.ts';
import type { ReluDwView } from './view.ts';
import { buildReluDwView } from './view.ts';

/** The URL query prefix of the figure's state (`rd.h`, `rd.g`, `rd.step`, …), as before the figure frame. */
export const RELU_DW_PREFIX = 'rd.';

/**
 * The ReLU-mask-and-dW figure's FigureSpec (lesson 6): sizes, stride, padding, dilation, channels,
 * filters and batch; input `x`, kernel `k` and upstream gradient `g` values; the seed, overlapping
 * and non-overlapping presets; URL prefix `rd.`. Steps: the forward picture, one gate per δ_Z cell
 * (reluBackwardLoops), then convParamGradientLoops' rows, bias terms and stores, weight terms and
 * stores, and the check against the engine.
 */
export const RELU_DW_SPEC: FigureSpec<ConvSettings, ConvExample, ReluDwView, ReluDwStep> = {
  label: 'ReLU mask and dW',
  prefix: RELU_DW_PREFIX,
  defaults: RELU_DW_DEFAULTS,
  fields: convFields(['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'F', 'N']),
  values: convValues(true),
  presets: RELU_DW_PRESETS,
  example: convExample,
  build: buildReluDwView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};
