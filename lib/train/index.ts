/**
 * The UI-free training core on the CPU engine: model presets (the seed CNN and an overlapping-window
 * CNN) and any network of conv, flatten and dense layers in the `net=` text form, forward and backward passes, He initialisation, SGD/Adam, and one training step.
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
  layerOutputShape,
  checkLogitsLayer,
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
export type { BackendKind, OptimizerSettings, StepMetrics, TrainingBackend, BackendOptions } from './backend.ts';
export type {
  PresetName,
  BackendChoice,
  TrainSettings,
  DatasetPayload,
  ParamsPayload,
  ToWorker,
  FromWorker,
  TrainerState,
  StepPoint,
} from './protocol.ts';
export { BATCH_SIZES } from './protocol.ts';
export { createCpuBackend, CPU_DEVICE_NAME, CPU_MAX_BATCH, cpuDeviceName } from './cpu-backend.ts';
export { paramsToPayload, paramsFromPayload } from './params-payload.ts';
export type { NetLayer, NetConv, NetFlatten, NetDense } from './net-spec.ts';
export { NET_BOUNDS, parseNet, printNet, checkNetBounds } from './net-spec.ts';
export type { NetLayerCheck, NetPreset } from './net-model.ts';
export {
  NET_INPUT,
  NET_CLASSES,
  NET_PRESETS,
  checkNetLayers,
  netModel,
  netOfModel,
  netText,
  modelOfNet,
  canonicalNet,
  presetOfNet,
} from './net-model.ts';
export type { LayerMemory } from './cpu-memory.ts';
export { CPU_MEMORY_BUDGET_BYTES, cpuLayerMemory, cpuMemoryProblems } from './cpu-memory.ts';
export type { SettingsProblem } from './settings.ts';
export {
  DEFAULT_SETTINGS,
  BACKEND_CHOICES,
  OPTIMIZER_KINDS,
  MAX_EPOCHS,
  MAX_SEED,
  SETTINGS_QUERY_KEYS,
  checkSettings,
  checkLearningRate,
  settingsFromQuery,
  settingsToQuery,
} from './settings.ts';
export type { CheckpointMeta, CheckpointProblem } from './checkpoint.ts';
export {
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  CHECKPOINT_EXTENSION,
  MAX_WEIGHT_MAGNITUDE,
  CheckpointError,
  encodeCheckpoint,
  decodeCheckpoint,
} from './checkpoint.ts';
export { checkDataset, stepsPerEpoch, epochOrder, batchAt, sliceImages } from './batches.ts';
export type { Evaluation } from './evaluate.ts';
export { evaluateDataset } from './evaluate.ts';
export type { ThroughputMeter } from './throughput.ts';
export { createThroughputMeter } from './throughput.ts';
export type { BackendFactory, SessionOptions, TrainingSession } from './session.ts';
export { createTrainingSession } from './session.ts';
