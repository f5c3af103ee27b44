/** The transposed-convolution figure (lesson 11): spec, example, view, steps, replay and marks. */
export { TRANSPOSE_SPEC, transposeCells } from './spec.ts';
export { TRANSPOSE_DEFAULTS, TRANSPOSE_FIELDS, buildTransposeExample } from './example.ts';
export type { TransposeExample, TransposeSettings } from './example.ts';
export { TRANSPOSE_PRESETS } from './presets.ts';
export { buildTransposeView, transposeSteps } from './view.ts';
export type { CellAgreement, TransposeStep, TransposeView } from './view.ts';
export { replayTranspose } from './replay.ts';
export type { ReplayedStamp } from './replay.ts';
export { outputBlank, outputValues, transposeMarks } from './marks.ts';
export type { TransposeMarks } from './marks.ts';
export { inputValueIndex, kernelValueIndex, transposeLabels } from './labels.ts';
export type { TransposeLabels } from './labels.ts';
