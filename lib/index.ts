/**
 * The engine's public face: every name a lesson, figure, cell or test imports (README: Layout).
 * Tensors are row-major Float32Array; images NCHW, kernels [F, C, KH, KW], biases [F].
 * Errors: invalid arguments (options objects included) throw ConvConfigError naming the parameter;
 * no buffer beyond MAX_BUFFER_FLOATS (2²⁸ floats) is allocated; NaN and ±Infinity are not checked
 * and propagate to every output that reads them (see the README's error contract).
 */
export { ConvConfigError } from './errors.ts';
export { MAX_BUFFER_FLOATS } from './buffer-limit.ts';
export type { Tensor } from './tensor.ts';
export { tensor, zeros, sizeOf, at, clone, reshape, toNested } from './tensor.ts';
export type { Rng } from './random.ts';
export { createRng, normal, randomUniform, randomIntegers } from './random.ts';
export type { ConvOptions, ConvGeometry, Pair, ResolvedConvOptions } from './geometry.ts';
export { convGeometry, outputSize, resolveConvOptions } from './geometry.ts';
export type { GemmOptions, GemmKernel, GemmKernelChoice } from './gemm.ts';
export { gemmInto, matmul, setGemmKernel, gemmKernel, withGemmKernel } from './gemm.ts';
export { wasmGemmReady, wasmGemmVariant } from './wasm/gemm-wasm.ts';
export type { PatchCopy } from './im2col/im2col.ts';
export { im2col, im2colInto, im2colBytes } from './im2col/im2col.ts';
export type { IndexMatrices } from './im2col/indices.ts';
export { im2colIndices, gatherWithIndices } from './im2col/indices.ts';
export type { ScatterAdd } from './im2col/col2im.ts';
export { col2im, col2imInto } from './im2col/col2im.ts';
export type { ConvShapes, BackwardMethod } from './ops/check-conv.ts';
export { conv2d } from './ops/conv2d.ts';
export { conv2dNaive } from './ops/conv2d-naive.ts';
export type { Conv2dBackwardOptions, Conv2dGradients } from './ops/conv2d-backward.ts';
export { conv2dBackward } from './ops/conv2d-backward.ts';
export type { ConvTransposeOptions, ConvTransposeShapes } from './ops/conv2d-transpose.ts';
export { conv2dTranspose, checkConvTransposeArgs } from './ops/conv2d-transpose.ts';
export type { ZeroInsertionStages } from './ops/conv2d-transpose-zero-insertion.ts';
export { conv2dTransposeByZeroInsertion } from './ops/conv2d-transpose-zero-insertion.ts';
export { convolutionMatrix, MAX_CONVOLUTION_MATRIX_ENTRIES } from './ops/convolution-matrix.ts';
export type { TransposeStamp, TransposeTrace, TransposeTraceOptions } from './trace/transpose-trace.ts';
export { traceConv2dTranspose, stampOverlap } from './trace/transpose-trace.ts';
export type { Sides, DilatedPlan, DilatedStages, DilatedCost } from './ops/dilated.ts';
export { dilateTensor, padTensor, cropTensor, rotateKernel180, dilatedPlan, dilatedInputGradient, dilatedCost } from './ops/dilated.ts';
export type { DilatedTerm, DilatedCellStep, DilatedTrace, DilatedTraceOptions } from './trace/dilated-trace.ts';
export { traceDilatedBackward } from './trace/dilated-trace.ts';
export { relu, reluMask, reluBackward } from './ops/relu.ts';
export type { PoolOptions, PoolGeometry, MaxPoolResult, MaxPoolRecord, PoolRouteObserver } from './ops/pool.ts';
export { poolGeometry, poolInsideMask, maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, routePoolGradient } from './ops/pool.ts';
export type { DenseGradients } from './ops/dense.ts';
export { dense, denseBackward } from './ops/dense.ts';
export type { SoftmaxCrossEntropyResult } from './ops/softmax-cross-entropy.ts';
export { softmaxCrossEntropy, softmaxCrossEntropyBackward } from './ops/softmax-cross-entropy.ts';
export type { TraceOptions, PatchStep, PatchExtractionTrace } from './trace/patch-extraction.ts';
export { tracePatchExtraction } from './trace/patch-extraction.ts';
export type { Col2imColumnStep, Col2imTrace } from './trace/col2im-trace.ts';
export { traceCol2im } from './trace/col2im-trace.ts';
export type { GemmTerm, GemmCellStep, GemmTrace, GemmTraceOptions } from './trace/gemm-trace.ts';
export { traceGemm, gemmCellTerms } from './trace/gemm-trace.ts';
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
} from './train/index.ts';
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
  initParams,
  createSgd,
  createAdam,
  trainStep,
} from './train/index.ts';
export type { Optimizer, SgdOptions, AdamOptions, TrainStepResult } from './train/index.ts';
// The WebGL2 backend (GPU ops on RGBA32F textures and the TrainingBackend built on them).
export * from './webgl/index.ts';
