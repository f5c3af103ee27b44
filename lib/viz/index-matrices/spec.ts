import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { convExample, convFields, convRandomize, convValues } from '../figure/conv.ts';
import type { IndexStep, IndexView } from './view.ts';
import { INDEX_DEFAULTS, INDEX_FIELDS, INDEX_QUERY_PREFIX, buildIndexView } from './view.ts';

/**
 * The index matrices' FigureSpec (lesson 3): sizes, stride, padding, dilation, channels and batch;
 * the input values; URL prefix `ix.`. Steps: gatherLoops row by row — each row's channel, then one
 * step per entry gathered.
 */
export const INDEX_SPEC: FigureSpec<ConvSettings, ConvExample, IndexView, IndexStep> = {
  label: 'Index matrices',
  prefix: INDEX_QUERY_PREFIX,
  defaults: INDEX_DEFAULTS,
  fields: convFields(INDEX_FIELDS),
  values: convValues().filter((v) => v.key === 'x'),
  presets: [],
  example: convExample,
  build: buildIndexView,
  steps: (view) => view.steps,
  randomize: convRandomize,
};
