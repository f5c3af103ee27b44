/**
 * The WebGL2 backend: matrices in RGBA32F 2D-array textures (4 columns per texel; the GEMM's
 * outputs dealt over 4 or 8 layers so that each fragment computes a 4×4 or 8×4 block), one fragment shader
 * per op (im2col, GEMM NN/NT/TN, col2im as a gather, ReLU backward, row sums, flatten, softmax
 * cross-entropy, SGD/Adam), and a TrainingBackend (createWebGLBackend) that runs a whole training
 * step on the GPU and reads back only the metrics, asynchronously. Activations are CNHW
 * `[C, N·H·W]`, so a convolution's GEMM output is the next layer's input without a reorder.
 * Free of DOM assumptions beyond the canvas: it runs in a Worker on an OffscreenCanvas.
 */
export { WebGLUnavailableError, WebGLContextLostError } from './errors.ts';
export type { WebGLProbe, AnyCanvas, ComputeContext } from './probe.ts';
export { probeWebGL, openComputeContext, rendererName, isSoftwareRenderer, preferredGemmRows, CONTEXT_ATTRIBUTES } from './probe.ts';
export type { MatrixLayout } from './layout.ts';
export { matrixLayout, texelFloats, isDenseLayout, packMatrix, unpackMatrix } from './layout.ts';
export { nchwToCnhw, cnhwToNchw } from './cnhw.ts';
export { FRAGMENT_HEADER, VERTEX_SHADER, glslFloat, declareMatrix, declareOutputs, declareKeepColumns } from './glsl.ts';
export type { Gpu, GpuMatrix, GpuStats, GpuOptions, DrawCall } from './device.ts';
export { createGpu } from './device.ts';
export type { GpuGemmOptions } from './ops/gemm.ts';
export { gemm } from './ops/gemm.ts';
export { im2colGpu } from './ops/im2col.ts';
export { col2imGpu } from './ops/col2im.ts';
export { transposeGpu } from './ops/transpose.ts';
export { biasReluGpu } from './ops/bias-relu.ts';
export { reluBackwardGpu } from './ops/relu-backward.ts';
export { rowSumsGpu } from './ops/row-sums.ts';
export { flattenGpu, unflattenGpu } from './ops/flatten.ts';
export { METRICS_COLS, softmaxCrossEntropyGradGpu, softmaxCrossEntropyMetricsGpu } from './ops/softmax-cross-entropy.ts';
export type { SgdUpdate } from './ops/sgd.ts';
export { sgdUpdateGpu } from './ops/sgd.ts';
export type { AdamConstants, AdamUpdate } from './ops/adam.ts';
export { COUNTER_COLS, adamUpdateGpu, adamCountGpu } from './ops/adam.ts';
export type { ConvStage, FlattenStage, DenseStage, Stage, ModelPlan } from './model-plan.ts';
export { planModel, planShapes, textureLimitProblem } from './model-plan.ts';
export type { WebGLBackendOptions, WebGLTrainingBackend } from './backend.ts';
export { createWebGLBackend } from './backend.ts';
