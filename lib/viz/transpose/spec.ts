import type { FigureSpec, FigureValues } from '../figure/spec.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import { createRng, randomIntegers } from '../../random.ts';
import type { TransposeExample, TransposeSettings } from './example.ts';
import { TRANSPOSE_DEFAULTS, TRANSPOSE_FIELDS, buildTransposeExample } from './example.ts';
import { TRANSPOSE_PRESETS } from './presets.ts';
import type { TransposeStep, TransposeView } from './view.ts';
import { buildTransposeView, transposeSteps } from './view.ts';

/** The value lists of the figure: the input `x` (`[1, F, H, W]`) and the kernel `k` (`[F, C, KH, KW]`). */
const TRANSPOSE_VALUES: FigureValues<TransposeSettings, TransposeExample>[] = [
  { key: 'x', param: 'x', label: 'input values', size: (s) => s.F * s.H * s.W, current: (e) => e.x.data },
  { key: 'w', param: 'k', label: 'kernel values', size: (s) => s.F * s.C * s.KH * s.KW, current: (e) => e.w.data },
];

/**
 * Cells the figure draws for an example: inputs, kernels, outputs, the overlap map, and on the
 * last step the zero-insertion results and (when it applies) lesson 7's gradient beside them.
 */
export function transposeCells(example: TransposeExample): number {
  const { F, C, H, W, OH, OW, forward } = example.shapes;
  return F * H * W + F * C * forward.KH * forward.KW + 3 * C * OH * OW + OH * OW;
}

/** The view, refused by name (the one draw budget) when the figure would draw too much. */
function buildChecked(example: TransposeExample): TransposeView {
  const { C, OH, OW } = example.shapes;
  checkDrawBudget(
    transposeCells(example),
    `output ${OH} × ${OW}${C > 1 ? ` in ${C} channels` : ''}, drawn three times with its overlap map`,
  );
  return buildTransposeView(example);
}

/**
 * The transposed-convolution figure's FigureSpec (lesson 11): a 3×3 input stamped by a 3×3 kernel of
 * ones at stride 2 to start with; sizes, stride, padding, dilation, output padding and channels;
 * the presets upsample ×2, checkerboard and lesson 7's gradient; URL prefix `tc.`.
 */
export const TRANSPOSE_SPEC: FigureSpec<TransposeSettings, TransposeExample, TransposeView, TransposeStep> = {
  label: 'Transposed convolution',
  prefix: 'tc.',
  defaults: TRANSPOSE_DEFAULTS,
  fields: TRANSPOSE_FIELDS,
  values: TRANSPOSE_VALUES,
  presets: TRANSPOSE_PRESETS,
  example: buildTransposeExample,
  build: buildChecked,
  steps: transposeSteps,
  randomize: (settings, example, seed) => {
    const rng = createRng(seed);
    return {
      ...settings,
      x: Array.from(randomIntegers(example.x.shape, rng, -3, 3).data),
      w: Array.from(randomIntegers(example.w.shape, rng, -2, 2).data),
    };
  },
};
