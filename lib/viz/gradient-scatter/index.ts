/** The gradient scatter (lesson 7): spec, view, steps, marks and the lesson's worked example. */
export { SCATTER_SPEC } from './spec.ts';
export * from './view.ts';
