/** The convolution playground (lesson 1): spec, view, steps and marks. */
export { PLAYGROUND_SPEC } from './spec.ts';
export { PICTURE_TAPS, buildPlaygroundView, inputIndexAt, outputSizeLines } from './view.ts';
export type { PlaygroundEvent, PlaygroundTerm, PlaygroundView } from './view.ts';
export { playgroundSteps } from './steps.ts';
export type { PlaygroundStep } from './steps.ts';
export { outputBlank, playgroundMarks } from './marks.ts';
export { playgroundQuestion } from './question.ts';
export type { PlaygroundMarks } from './marks.ts';
export { DIGIT_PIXELS, DIGIT_PRESETS, IMAGE_KERNELS, NUMBER_GRID_MAX, PLAYGROUND_LIMITS } from './digit.ts';
export type { ImageKernel } from './digit.ts';
export { pictureOf, pictureText } from './picture.ts';
export type { PlaygroundPicture } from './picture.ts';
export { MNIST_DIGIT } from './mnist-digit.ts';
