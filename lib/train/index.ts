/**
 * The UI-free training core on the CPU engine: model presets (the seed CNN and an overlapping-window
 * CNN), forward and backward passes, He initialisation, SGD/Adam, and one training step.
 */
export type {
  ConvLayer,
  FlattenLayer,
  DenseLayer,
  LayerSpec,
  ModelPreset,
  Param,
  ParamSpec,
  LayerCache,
  ForwardResult,
  LossAndGradients,
} from './model.ts';
export {
  SEED_CNN,
  OVERLAP_CNN,
  convRelu,
  denseLayer,
  flattenSize,
  presetShapes,
  paramSpecs,
  checkParams,
  forward,
  backward,
  lossAndGradients,
  argmaxRows,
  predict,
} from './model.ts';
export { initParams } from './init.ts';
export type { Optimizer, SgdOptions, AdamOptions } from './optimizer.ts';
export { createSgd, createAdam } from './optimizer.ts';
export type { TrainStepResult } from './train-step.ts';
export { trainStep } from './train-step.ts';
