/** One-click settings of the transposed-convolution figure (lesson 11). */
import type { TransposeSettings } from './example.ts';
import { TRANSPOSE_DEFAULTS } from './example.ts';

/** A preset: its button label, a one-line reason, and the settings it applies. */
export interface TransposePreset {
  label: string;
  description: string;
  settings: TransposeSettings;
}

/**
 * - "upsample ×2": kernel 4, stride 2, padding 1 doubles a 3×3 input to 6×6, stamps overlapping evenly;
 * - "checkerboard": kernel 3, stride 2, the uneven overlap of the figure's default;
 * - "the gradient of lesson 7": dY = [[1, 2], [3, 4]] through the seed kernel 10…13 at stride 1,
 *   which is lesson 7's input gradient for its default example.
 */
export const TRANSPOSE_PRESETS: readonly TransposePreset[] = [
  {
    label: 'upsample ×2 (k4 s2 p1)',
    description: 'kernel 4, stride 2, padding 1: twice the size, every inner pixel reached by 4 taps',
    settings: { ...TRANSPOSE_DEFAULTS, H: 3, W: 3, KH: 4, KW: 4, stride: 2, padding: 1 },
  },
  {
    label: 'checkerboard (k3 s2)',
    description: 'kernel 3, stride 2 on a 4×4 input: the stamps overlap in every other row and column',
    settings: { ...TRANSPOSE_DEFAULTS, H: 4, W: 4, KH: 3, KW: 3, stride: 2, padding: 0 },
  },
  {
    label: 'the gradient of lesson 7',
    description: 'dY = [[1, 2], [3, 4]] and the seed kernel at stride 1: lesson 7’s input gradient',
    settings: { ...TRANSPOSE_DEFAULTS, H: 2, W: 2, KH: 2, KW: 2, stride: 1, padding: 0, x: [1, 2, 3, 4], w: [10, 11, 12, 13] },
  },
];
