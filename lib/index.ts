/**
 * The engine's public face: the names and layouts in the design contract (shared/DESIGN.md).
 * Tensors are row-major Float32Array; images NCHW, kernels [F, C, KH, KW], biases [F].
 */
export { ConvConfigError } from './errors.ts';
export type { Tensor } from './tensor.ts';
export { tensor, zeros, sizeOf, at, clone, reshape, toNested } from './tensor.ts';
export type { Rng } from './random.ts';
export { createRng, normal, randomUniform, randomIntegers } from './random.ts';
export type { ConvOptions, ConvGeometry, Pair, ResolvedConvOptions } from './geometry.ts';
export { convGeometry, outputSize, resolveConvOptions } from './geometry.ts';
export type { GemmOptions } from './gemm.ts';
export { gemmInto, matmul } from './gemm.ts';
export type { PatchCopy } from './im2col/im2col.ts';
export { im2col, im2colInto, im2colBytes } from './im2col/im2col.ts';
export type { IndexMatrices } from './im2col/indices.ts';
export { im2colIndices, gatherWithIndices } from './im2col/indices.ts';
export type { ScatterAdd } from './im2col/col2im.ts';
export { col2im, col2imInto } from './im2col/col2im.ts';
