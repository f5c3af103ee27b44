import type { ConvSettings, SettingField } from '../conv-settings.ts';
import { SEED_SETTINGS, SETTING_FIELDS } from '../conv-settings.ts';
import type { FigurePreset } from '../figure/spec.ts';
import { MNIST_DIGIT } from './mnist-digit.ts';

/**
 * Lesson 1's real input: one MNIST digit (mnist-digit.ts, 28×28, pixels 0..255) and the classic
 * 3×3 image kernels whose outputs are pictures — edges along x and y (Sobel), all edges
 * (Laplacian) and a blur (Gaussian, the weights 1 2 1 / 2 4 2 / 1 2 1 over 16, exact in float32).
 */

/** The playground's range of every setting: SETTING_FIELDS, with inputs up to a digit's 28 × 28. */
export const PLAYGROUND_LIMITS: readonly SettingField[] = SETTING_FIELDS.map((f) =>
  f.key === 'H' || f.key === 'W' ? { ...f, max: MNIST_DIGIT.rows } : { ...f },
);

/** Inputs wider or taller than this are drawn as gray pictures, not as grids of numbers. */
export const NUMBER_GRID_MAX = 12;

/** A 3×3 kernel with its name and what its output shows. */
export interface ImageKernel {
  name: string;
  shows: string;
  /** Row-major, `[1, 1, 3, 3]`. */
  weights: number[];
}

export const IMAGE_KERNELS: readonly ImageKernel[] = [
  {
    name: 'Sobel x',
    shows: 'vertical edges: bright where ink starts left to right, dark where it ends',
    weights: [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  },
  {
    name: 'Sobel y',
    shows: 'horizontal edges: bright where ink starts top to bottom, dark where it ends',
    weights: [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  },
  { name: 'Laplacian', shows: 'every edge and thin stroke, whatever its direction', weights: [0, 1, 0, 1, -4, 1, 0, 1, 0] },
  {
    name: 'Blur',
    shows: 'a softer digit: each pixel averaged with its neighbours',
    weights: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16),
  },
];

/** The digit's pixels as an input list (`x`, NCHW with N = C = 1). */
export const DIGIT_PIXELS: readonly number[] = MNIST_DIGIT.pixels;

/** One preset per image kernel: the digit ⊛ the kernel, stride 1, no padding (a 26 × 26 picture). */
export const DIGIT_PRESETS: readonly FigurePreset<ConvSettings>[] = IMAGE_KERNELS.map((k) => ({
  label: `Digit: ${k.name}`,
  description: `a real MNIST ${MNIST_DIGIT.label} (test image ${MNIST_DIGIT.index}) convolved with ${k.name}: ${k.shows}`,
  settings: { ...SEED_SETTINGS, H: MNIST_DIGIT.rows, W: MNIST_DIGIT.cols, KH: 3, KW: 3, x: [...DIGIT_PIXELS], w: [...k.weights] },
}));
