/** The pooling figure (lesson 9): spec, settings, view, steps, marks, pointer details and the lesson's TeX. */
export { POOL_SPEC } from './spec.ts';
export * from './settings.ts';
export * from './view.ts';
export * from './steps.ts';
export * from './marks.ts';
export * from './detail.ts';
export * from './tex.ts';
