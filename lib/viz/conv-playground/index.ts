/** The convolution playground (lesson 1): spec, view, steps and marks. */
export { PLAYGROUND_SPEC } from './spec.ts';
export { buildPlaygroundView, inputIndexAt, outputSizeLines } from './view.ts';
export type { PlaygroundEvent, PlaygroundTerm, PlaygroundView } from './view.ts';
export { playgroundSteps } from './steps.ts';
export type { PlaygroundStep } from './steps.ts';
export { outputBlank, playgroundMarks } from './marks.ts';
export { playgroundQuestion } from './question.ts';
export type { PlaygroundMarks } from './marks.ts';
