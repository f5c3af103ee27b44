import type { FigureSpec } from '../figure/spec.ts';
import type { ConvExample, ConvSettings } from '../conv-settings.ts';
import { SEED_SETTINGS, buildExample } from '../conv-settings.ts';
import { convFields, convRandomize, convValues } from '../figure/conv.ts';
import { DIGIT_PRESETS, PLAYGROUND_LIMITS } from './digit.ts';
import type { PlaygroundView } from './view.ts';
import { buildPlaygroundView } from './view.ts';
import type { PlaygroundStep } from './steps.ts';
import { playgroundSteps } from './steps.ts';

/**
 * The convolution playground's FigureSpec (lesson 1): the seed's 3×3 input and 2×2 kernel 10…13,
 * sizes (inputs up to 28 × 28, PLAYGROUND_LIMITS), stride, padding and dilation; one image, one
 * channel, one filter; presets for padding, stride and a real MNIST digit with edge kernels;
 * URL prefix `cv.`.
 */
export const PLAYGROUND_SPEC: FigureSpec<ConvSettings, ConvExample, PlaygroundView, PlaygroundStep> = {
  label: 'Convolution playground',
  prefix: 'cv.',
  defaults: SEED_SETTINGS,
  fields: convFields(['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation']).map((f) => ({
    ...f,
    max: PLAYGROUND_LIMITS.find((l) => l.key === f.key)!.max,
  })),
  values: convValues(),
  presets: [
    {
      label: 'Padding 1',
      description: 'a ring of zeros: the output keeps the input’s size with a 3×3 kernel',
      settings: { ...SEED_SETTINGS, H: 4, W: 4, KH: 3, KW: 3, padding: 1 },
    },
    {
      label: 'Stride 2',
      description: 'the window jumps two pixels: a smaller output',
      settings: { ...SEED_SETTINGS, H: 5, W: 5, stride: 2 },
    },
    ...DIGIT_PRESETS,
  ],
  example: (settings) => buildExample(settings, PLAYGROUND_LIMITS),
  build: buildPlaygroundView,
  steps: playgroundSteps,
  randomize: convRandomize,
};
