import type { FigureSpec } from '../figure/spec.ts';
import type { PoolExample, PoolSettings } from './settings.ts';
import { POOL_DEFAULTS, POOL_FIELDS, POOL_PREFIX, POOL_PRESETS, POOL_VALUES, poolExample, poolRandomize } from './settings.ts';
import type { PoolStep } from './steps.ts';
import { poolSteps } from './steps.ts';
import type { PoolView } from './view.ts';
import { buildPoolView } from './view.ts';

/**
 * The pooling figure's FigureSpec (lesson 9): the reduction (max or average), sizes, window,
 * stride, padding, dilation and channels; input and gradient values; the overlapping /
 * non-overlapping presets; URL prefix `pl.`. Steps: the statements of the reference pooling loops,
 * forward then backward, then the check against the engine's backward op.
 */
export const POOL_SPEC: FigureSpec<PoolSettings, PoolExample, PoolView, PoolStep> = {
  label: 'Pooling through im2col',
  prefix: POOL_PREFIX,
  defaults: POOL_DEFAULTS,
  fields: POOL_FIELDS,
  values: POOL_VALUES,
  presets: POOL_PRESETS,
  example: poolExample,
  build: buildPoolView,
  steps: poolSteps,
  randomize: poolRandomize,
};
