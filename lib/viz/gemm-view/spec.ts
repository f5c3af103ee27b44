import type { FigureSpec } from '../figure/spec.ts';
import { drawFigure } from '../figure/spec.ts';
import { writeFigureQuery } from '../figure/query.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import type { GemmPreset, GemmStep, GemmView } from './view.ts';
import { GEMM_DEFAULTS, GEMM_FIELDS, GEMM_PREFIX, GEMM_PRESETS, buildGemmView } from './view.ts';

/** Every step of the GEMM view carries its narration and convGemmLoops' cursor. */
type GemmFigureStep = GemmStep;

/**
 * The GEMM view's FigureSpec (lesson 4): sizes, stride, padding, dilation, channels, filters and
 * batch; input and kernel values; the Pisa slides' presets; URL prefix `gm.`. Steps: the operands,
 * then per entry of Y its terms and its store (convGemmLoops), then one reshape per feature map.
 */
export const GEMM_SPEC: FigureSpec<ConvSettings, ConvExample, GemmView, GemmFigureStep> = {
  label: 'GEMM view',
  prefix: GEMM_PREFIX,
  defaults: GEMM_DEFAULTS,
  fields: convFields(GEMM_FIELDS),
  values: convValues(),
  presets: GEMM_PRESETS.map((p) => ({ label: p.label, settings: p.settings })),
  example: convExample,
  build: buildGemmView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};

/** The URL query (`?…`) that opens the GEMM view on a preset, for links from the lesson (as the figure writes it). */
export function presetQuery(preset: GemmPreset): string {
  return `?${writeFigureQuery(GEMM_SPEC, drawFigure(GEMM_SPEC, preset.settings), 0, new URLSearchParams()).toString()}`;
}
