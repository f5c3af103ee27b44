import type { FigureSpec, FigureStep } from '../../../lib/viz/figure/spec.ts';
import { PLAYGROUND_SPEC } from '../../../lib/viz/conv-playground/spec.ts';
import { PATCH_SPEC } from '../../../lib/viz/patch-extraction/spec.ts';
import { INDEX_SPEC } from '../../../lib/viz/index-matrices/spec.ts';
import { GEMM_SPEC } from '../../../lib/viz/gemm-view/spec.ts';
import { RELU_DW_SPEC } from '../../../lib/viz/relu-dw/spec.ts';
import { SCATTER_SPEC } from '../../../lib/viz/gradient-scatter/spec.ts';
import { DILATED_SPEC } from '../../../lib/viz/dilated-backprop/spec.ts';
import { POOL_SPEC } from '../../../lib/viz/pooling/spec.ts';
import { TRANSPOSE_SPEC } from '../../../lib/viz/transpose/spec.ts';

/** A figure spec of any settings, example, view and step types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFigureSpec = FigureSpec<any, any, any, FigureStep>;

/**
 * Every figure on the one frame, by lesson: the shared contract tests
 * (tests/unit/viz-figure-specs.test.ts) run through each. Add a figure here when it moves onto
 * the frame.
 */
export const FIGURE_SPECS: readonly { lesson: number; spec: AnyFigureSpec }[] = [
  { lesson: 1, spec: PLAYGROUND_SPEC },
  { lesson: 2, spec: PATCH_SPEC },
  { lesson: 3, spec: INDEX_SPEC },
  { lesson: 4, spec: GEMM_SPEC },
  { lesson: 6, spec: RELU_DW_SPEC },
  { lesson: 7, spec: SCATTER_SPEC },
  { lesson: 8, spec: DILATED_SPEC },
  { lesson: 9, spec: POOL_SPEC },
  { lesson: 11, spec: TRANSPOSE_SPEC },
];
