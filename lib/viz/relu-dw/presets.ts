/** The defaults and one-click settings of the ReLU-mask-and-dW figure (lesson 6). */
import type { ConvSettings } from '../conv-settings.ts';
import { SEED_SETTINGS } from '../conv-settings.ts';
import type { FigurePreset } from '../figure/spec.ts';

/** The seed's upstream gradient ∂L/∂A of the ReLU example (University of Pisa slides). */
export const SEED_UPSTREAM: readonly number[] = [1.23, 3.59, 4.65, 0.81];

/**
 * The figure's defaults: the ReLU example of the University of Pisa slides — a 3×3 input of ones
 * with 10 in the middle, the kernel 1 1 / 1 −5, and the upstream gradient 1.23 3.59 / 4.65 0.81.
 */
export const RELU_DW_DEFAULTS: ConvSettings = {
  ...SEED_SETTINGS,
  x: [1, 1, 1, 1, 10, 1, 1, 1, 1],
  w: [1, 1, 1, -5],
  dy: [...SEED_UPSTREAM],
};

/** A preset of the figure, with an id for the lesson and the tests. */
export interface ReluDwPreset extends FigurePreset<ConvSettings> {
  id: 'seed' | 'overlapping' | 'non-overlapping';
}

/**
 * The presets: the seed example; overlapping windows (5×5 input, 3×3 kernel, stride 2: the middle
 * row and column of the input sit under two windows each); non-overlapping windows (4×4 input,
 * 2×2 kernel, stride 2: every pixel under exactly one window). All three keep the seed's upstream
 * gradient so the mask is the only thing that changes what flows.
 */
export const RELU_DW_PRESETS: readonly ReluDwPreset[] = [
  { id: 'seed', label: 'Seed ReLU example', description: 'the slides’ 3×3 input with a 10 in the middle', settings: RELU_DW_DEFAULTS },
  {
    id: 'overlapping',
    label: 'Overlapping windows',
    description: '5×5 input, 3×3 kernel, stride 2: the middle row and column sit under two windows',
    settings: {
      ...SEED_SETTINGS,
      H: 5,
      W: 5,
      KH: 3,
      KW: 3,
      stride: 2,
      x: [2, 1, 0, 1, 3, 1, 4, 2, 0, 1, 0, 2, 5, 1, 2, 3, 0, 1, 2, 0, 1, 1, 0, 3, 2],
      w: [0, 1, 0, 1, -2, 1, 0, 1, 0],
      dy: [...SEED_UPSTREAM],
    },
  },
  {
    id: 'non-overlapping',
    label: 'Non-overlapping windows',
    description: '4×4 input, 2×2 kernel, stride 2: every pixel under exactly one window',
    settings: {
      ...SEED_SETTINGS,
      H: 4,
      W: 4,
      KH: 2,
      KW: 2,
      stride: 2,
      x: [1, 2, 0, 3, 4, 1, 2, 1, 0, 3, 1, 1, 2, 5, 4, 0],
      w: [1, -1, 2, -1],
      dy: [...SEED_UPSTREAM],
    },
  },
];

/** The preset with this id (throws for an unknown id, so a typo breaks the build). */
export function reluDwPreset(id: ReluDwPreset['id']): ReluDwPreset {
  const preset = RELU_DW_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown ReLU/dW preset ${id}`);
  return preset;
}
