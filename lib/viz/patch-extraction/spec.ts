import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import type { PatchFigureStep, PatchView } from './view.ts';
import { PATCH_DEFAULTS, PATCH_FIELDS, PATCH_PREFIX, patchView } from './view.ts';

/**
 * Patch extraction's FigureSpec (lesson 2): sizes, stride, padding, dilation, channels and batch;
 * the input values; URL prefix `pe.`. Steps: per window its start, then one step per entry
 * im2colLoops copies into that window's column of X_col.
 */
export const PATCH_SPEC: FigureSpec<ConvSettings, ConvExample, PatchView, PatchFigureStep> = {
  label: 'Patch extraction',
  prefix: PATCH_PREFIX,
  defaults: PATCH_DEFAULTS,
  fields: convFields(PATCH_FIELDS),
  values: convValues().filter((v) => v.key === 'x'),
  presets: [],
  example: convExample,
  build: patchView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};
