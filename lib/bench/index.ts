/**
 * The speed lesson's benchmark, UI-free: the cases (seed CNN convolutions at batch 1 and 32, the
 * AlexNet-sized layer), the methods (nested loops, im2col + GEMM, WebGL2), a runner that times
 * repetitions and can be stopped between them, statistics, tables, Markdown export, saved runs,
 * and the seed slides' published figures.
 */
export type { BenchLayer, BenchCase } from './cases.ts';
export {
  BENCH_CASES,
  ALEXNET_LAYER,
  seedLayers,
  benchCase,
  layerOptions,
  layerGeometry,
  layerOutputShape,
  layerMacs,
  layerIm2colBytes,
  caseIm2colBytes,
  caseMacs,
  toMegabytes,
} from './cases.ts';
export type { LayerInputs, Pass } from './inputs.ts';
export { PASSES, makeCaseInputs } from './inputs.ts';
export type { MethodId, PreparedRun, BenchMethod } from './method.ts';
export { NAIVE_METHOD, IM2COL_METHOD, IM2COL_WASM_METHOD, CPU_METHODS, availableCpuMethods, referenceResults } from './cpu-methods.ts';
export { conv2dBackwardNaive } from './naive-backward.ts';
export { createWebglMethod } from './webgl-method.ts';
export type { Stats } from './stats.ts';
export { summarize, speedup, hasWideSpread, WIDE_SPREAD_FACTOR } from './stats.ts';
export { relativeError, AGREEMENT_TOLERANCE } from './agreement.ts';
export type { CellResult, Progress, RunnerOptions, RunOutcome } from './runner.ts';
export { runBenchmark, planCells, MIN_REPETITIONS } from './runner.ts';
export type { BenchRun, MethodInfo } from './run.ts';
export { findCell, PLANNED_METHODS, WEBGL_LABELS, CPU_LABELS } from './run.ts';
export type { ChartBar, ChartGroup, ChartTick, ChartLayout } from './chart.ts';
export { chartLayout, tickLabel, NARROW_CHART } from './chart.ts';
export type { StatColumn, TableRow, RowGroup, ResultTable } from './tables.ts';
export { STAT_COLUMNS, SEED_CREDIT, resultTables, seedRows } from './tables.ts';
export { tableToMarkdown, runToMarkdown } from './markdown.ts';
export type { SavedRun, ComparisonRow } from './saved.ts';
export { SAVED_KEY, MAX_SAVED, MAX_LABEL, parseSaved, checkLabel, addSaved, removeSaved, compareSaved } from './saved.ts';
export type { SeedMethod, SeedStats, SeedTable } from './seed-figures.ts';
export { SEED_SOURCE, SEED_METHODS, SEED_TABLES, seedTable, seedSpeedup } from './seed-figures.ts';
export { formatMs, formatSpeedup, formatMegabytes } from './format.ts';
export type { ToBenchWorker, FromBenchWorker } from './protocol.ts';
export {
  REPETITION_CHOICES,
  DEFAULT_REPETITIONS,
  REPETITIONS_PARAM,
  repetitionsFromQuery,
  readRepetitions,
  warmupFor,
  budgetFor,
} from './protocol.ts';
export type { BenchPhase } from './status.ts';
export { progressFraction, statusText, agreementText } from './status.ts';
