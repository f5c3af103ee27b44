/**
 * Reference loops: the engine's ops written as the plain loops of their definitions, to be read in
 * the figures' code panels and replayed by the figures (their observers report a LoopCursor per
 * statement). The fast paths in lib/ops and lib/im2col are tested equal to them.
 */
export { conv2dLoops, CONV2D_LOOP_MARKS } from './conv2d-loops.ts';
export type { Conv2dLoopEvent, Conv2dLoopObserver } from './conv2d-loops.ts';
export { col2imLoops, COL2IM_LOOP_MARKS } from './col2im-loops.ts';
export type { Col2imLoopEvent, Col2imLoopObserver } from './col2im-loops.ts';
export { conv2dTransposeLoops, TRANSPOSE_LOOP_MARKS } from './conv2d-transpose-loops.ts';
export type { TransposeLoopEvent, TransposeLoopObserver } from './conv2d-transpose-loops.ts';
export { im2colLoops, IM2COL_LOOP_MARKS } from './im2col-loops.ts';
export type { Im2colLoopObserver } from './im2col-loops.ts';
export { gatherLoops, GATHER_LOOP_MARKS } from './gather-loops.ts';
export type { GatherLoopEvent, GatherLoopObserver } from './gather-loops.ts';
export { convGemmLoops, GEMM_LOOP_MARKS } from './gemm-loops.ts';
export type { GemmLoopEvent, GemmLoopObserver } from './gemm-loops.ts';
export { convParamGradientLoops, PARAM_GRADIENT_LOOP_MARKS } from './gemm-loops.ts';
export type { ParamGradientLoopEvent, ParamGradientLoopObserver } from './gemm-loops.ts';
export { reluBackwardLoops, RELU_LOOP_MARKS } from './relu-backward-loops.ts';
export type { ReluLoopEvent, ReluLoopObserver } from './relu-backward-loops.ts';
export {
  maxPool2dLoops,
  avgPool2dLoops,
  maxPool2dBackwardLoops,
  avgPool2dBackwardLoops,
  POOL_LOOP_MARKS,
  POOL_LOOP_FUNCTIONS,
} from './pool-loops.ts';
export type { PoolLoopEvent, PoolLoopObserver } from './pool-loops.ts';
