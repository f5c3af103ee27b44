import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import type { DilatedStep, DilatedView } from './view.ts';
import { DILATED_DEFAULTS, DILATED_FIELDS, DILATED_PREFIX, DILATED_PRESETS, buildDilatedView } from './view.ts';

/**
 * The dilated backprop's FigureSpec (lesson 8): sizes, stride, padding, dilation, channels and
 * filters; input, kernel and gradient values (the defaults are the Pisa slides' W and dY); the
 * presets; URL prefix `dl.`. Steps: dilate, pad, rotate, one convolution cell each, crop, compare.
 */
export const DILATED_SPEC: FigureSpec<ConvSettings, ConvExample, DilatedView, DilatedStep> = {
  label: 'Dilated backprop',
  prefix: DILATED_PREFIX,
  defaults: DILATED_DEFAULTS,
  fields: convFields(DILATED_FIELDS),
  values: convValues(true),
  presets: DILATED_PRESETS,
  example: convExample,
  build: buildDilatedView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};
