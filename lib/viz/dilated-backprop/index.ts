/** The dilated backprop (lesson 8): spec, view, frames and the lesson's build-time figures. */
export { DILATED_SPEC } from './spec.ts';
export * from './view.ts';
