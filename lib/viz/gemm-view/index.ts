/** The GEMM view (lesson 4): spec, view, steps, frames and the lesson's worked examples. */
export { GEMM_SPEC, presetQuery } from './spec.ts';
export * from './view.ts';
export * from './frame.ts';
