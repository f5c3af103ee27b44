import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import type { ScatterStep, ScatterView } from './view.ts';
import { SCATTER_DEFAULTS, SCATTER_FIELDS, SCATTER_PREFIX, SCATTER_PRESETS, scatterView } from './view.ts';

/**
 * The gradient scatter's FigureSpec (lesson 7): sizes, stride, padding, dilation, channels and
 * filters; input, kernel and upstream gradient values; the overlapping / non-overlapping presets;
 * URL prefix `sc.`. Steps: the GEMM, then per window its start and one step per dX_col entry folded
 * back by col2imLoops, then the check against conv2dBackward.
 */
export const SCATTER_SPEC: FigureSpec<ConvSettings, ConvExample, ScatterView, ScatterStep> = {
  label: 'Gradient scatter',
  prefix: SCATTER_PREFIX,
  defaults: SCATTER_DEFAULTS,
  fields: convFields(SCATTER_FIELDS),
  values: convValues(true),
  presets: SCATTER_PRESETS,
  example: convExample,
  build: scatterView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};
