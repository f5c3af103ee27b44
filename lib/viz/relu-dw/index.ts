/** The ReLU-mask-and-dW figure (lesson 6): spec, presets, view, replay, steps, narration, marks, labels and the lesson's math. */
export { RELU_DW_SPEC, RELU_DW_PREFIX } from './spec.ts';
export { RELU_DW_DEFAULTS, RELU_DW_PRESETS, SEED_UPSTREAM, reluDwPreset } from './presets.ts';
export type { ReluDwPreset } from './presets.ts';
export { buildReluDwView, reluDwCells } from './view.ts';
export type { InputPanel, MapPlanes, ReluDwView } from './view.ts';
export { replayReluDw } from './replay.ts';
export type { ReluDwReplay, WeightTerm } from './replay.ts';
export { reluDwSteps, stageStarts } from './steps.ts';
export type { ReluDwProgress, ReluDwStage, ReluDwStep, ReluDwStepKind } from './steps.ts';
export { biasEquation, deltaEquation, num, weightEquation } from './narration.ts';
export { listedWeight, reluDwBlanks, reluDwMarks } from './marks.ts';
export type { ListedWeight, ReluDwBlanks, ReluDwMarks } from './marks.ts';
export { inputValueIndex, mapLabels, weightLabel, weightTap, windowLabel, windowPosition } from './labels.ts';
export { deltaChainTex, forwardChainTex, gradientsTex, reluDwViewOf } from './lesson-figures.ts';
