/** The dilated backprop (lesson 8): spec, view, frames and the lesson's build-time figures. */
export { DILATED_SPEC } from './spec.ts';
export * from './view.ts';
export * from './frame.ts';
export * from './figures.ts';
/** The flat index in its tensor of the value drawn at `(r, c)` of a plane (the figures' shared planeIndex). */
export { planeIndex } from '../figure/plane.ts';
