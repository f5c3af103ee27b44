/**
 * The reader-editable example of the pooling figure (lesson 9): sizes, window, options, the
 * reduction (max or average) and the values, checked by the engine. Pure.
 */
import { ConvConfigError } from '../../errors.ts';
import type { Tensor } from '../../tensor.ts';
import { tensor } from '../../tensor.ts';
import { createRng, randomIntegers } from '../../random.ts';
import type { PoolGeometry } from '../../ops/pool.ts';
import { maxPool2d, poolGeometry } from '../../ops/pool.ts';
import type { FigureField, FigurePreset, FigureValues } from '../figure/spec.ts';

/** Which reduction the figure shows: the maximum or the mean of each window. */
export type PoolMode = 'max' | 'avg';

/**
 * Settings of one pooling: input `x` `[1, C, H, W]`, window `KH×KW`, stride, padding and dilation
 * (the same on both axes), and `mode` (0: max pooling, 1: average pooling). `x` and `dy` (the
 * upstream gradient, `[1, C, OH, OW]`) hold values row-major, or null for the defaults
 * (poolDefaultInput; gradient 1, 2, 3, …).
 */
export interface PoolSettings {
  H: number;
  W: number;
  KH: number;
  KW: number;
  stride: number;
  padding: number;
  dilation: number;
  C: number;
  mode: number;
  x: number[] | null;
  dy: number[] | null;
}

/** The URL prefix of this figure's state (`pl.s=1&pl.mode=1&pl.step=4`). */
export const POOL_PREFIX = 'pl.';

/** The settings the figure offers, with the ranges it draws legibly. */
export const POOL_FIELDS: readonly FigureField<PoolSettings>[] = [
  { key: 'mode', param: 'mode', label: 'Pooling', min: 0, max: 1, choices: ['Max', 'Average'] },
  { key: 'H', param: 'h', label: 'Input height', min: 1, max: 12 },
  { key: 'W', param: 'w', label: 'Input width', min: 1, max: 12 },
  { key: 'KH', param: 'kh', label: 'Window height', min: 1, max: 7 },
  { key: 'KW', param: 'kw', label: 'Window width', min: 1, max: 7 },
  { key: 'stride', param: 's', label: 'Stride', min: 1, max: 4 },
  { key: 'padding', param: 'p', label: 'Padding', min: 0, max: 3 },
  { key: 'dilation', param: 'd', label: 'Dilation', min: 1, max: 3 },
  { key: 'C', param: 'c', label: 'Channels', min: 1, max: 3 },
];

/**
 * The default input: a 4×4 image of varied values, so that the maximum sits in a different place in
 * every 2×2 window (window 2 holds 3, 7, 2, 5: max 7, mean 4.25).
 */
export const POOL_SEED_INPUT: readonly number[] = [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6];

/** The figure's start: that 4×4 input, max pooling with a 2×2 window moving by 2, no padding. */
export const POOL_DEFAULTS: PoolSettings = {
  H: 4,
  W: 4,
  KH: 2,
  KW: 2,
  stride: 2,
  padding: 0,
  dilation: 1,
  C: 1,
  mode: 0,
  x: null,
  dy: null,
};

/**
 * The presets: overlapping windows (3×3 moving by 1 over the 4×4 input: the centre 2×2 block is in
 * all four windows, and the 9 there wins all of them) and non-overlapping windows (2×2 moving by 2:
 * every pixel in exactly one window). Both keep the reduction chosen.
 */
export const POOL_PRESETS: readonly FigurePreset<PoolSettings>[] = [
  {
    label: 'Overlapping windows',
    description: '3×3 windows moving by 1: the windows share pixels',
    settings: { ...POOL_DEFAULTS, KH: 3, KW: 3, stride: 1 },
  },
  { label: 'Non-overlapping windows', description: '2×2 windows moving by 2: every pixel in one window', settings: { ...POOL_DEFAULTS } },
];

/** A checked example: the tensors, the engine's pooling geometry and the options passed to it. */
export interface PoolExample {
  settings: PoolSettings;
  mode: PoolMode;
  /** `[1, C, H, W]`. */
  x: Tensor;
  /** The upstream gradient `[1, C, OH, OW]`. */
  dy: Tensor;
  window: [number, number];
  /** The options passed to the engine, stride explicit (pooling's own default is the window). */
  opts: { stride: number; padding: number; dilation: number };
  pool: PoolGeometry;
}

/**
 * The input values used when none were typed for a size: POOL_SEED_INPUT for a single 4×4 image,
 * otherwise integers 0…9 from the engine's seeded generator (the same for the same size), so the
 * maximum wanders around the windows instead of always sitting in the last corner.
 */
export function poolDefaultInput(C: number, H: number, W: number): number[] {
  if (C === 1 && H === 4 && W === 4) return [...POOL_SEED_INPUT];
  const rng = createRng(((C * 31 + H) * 37 + W) * 101);
  return Array.from(randomIntegers([1, C, H, W], rng, 0, 9).data);
}

/** Output size along one axis (the engine's, through poolGeometry), 0 when the window does not fit. */
function outputShape(s: PoolSettings): [number, number] {
  try {
    const { g } = poolGeometry([1, s.C, s.H, s.W], [s.KH, s.KW], { stride: s.stride, padding: s.padding, dilation: s.dilation });
    return [g.OH, g.OW];
  } catch (err) {
    if (err instanceof ConvConfigError) return [0, 0];
    throw err;
  }
}

/** The value lists: input `x` (`[1, C, H, W]`) and upstream gradient `g` (`[1, C, OH, OW]`). */
export const POOL_VALUES: readonly FigureValues<PoolSettings, PoolExample>[] = [
  { key: 'x', param: 'x', label: 'input values', size: (s) => s.C * s.H * s.W, current: (e) => e.x.data },
  {
    key: 'dy',
    param: 'g',
    label: 'gradient values',
    size: (s) => {
      const [OH, OW] = outputShape(s);
      return s.C * OH * OW;
    },
    current: (e) => e.dy.data,
  },
];

/**
 * Checks settings and builds the example. Throws ConvConfigError for a setting outside the
 * figure's range (naming the field and the range), for what the engine refuses (poolGeometry's
 * message), and — max pooling — for a window lying wholly in the padding (maxPool2d's message).
 */
export function poolExample(settings: PoolSettings): PoolExample {
  for (const field of POOL_FIELDS) {
    const v = settings[field.key];
    if (!Number.isInteger(v) || v < field.min || v > field.max) {
      throw new ConvConfigError(
        field.key,
        `${field.label} must be an integer from ${field.min} to ${field.max}, got ${Number.isNaN(v) ? 'nothing' : v}`,
      );
    }
  }
  const { C, H, W, KH, KW, stride, padding, dilation } = settings;
  const mode: PoolMode = settings.mode === 1 ? 'avg' : 'max';
  const window: [number, number] = [KH, KW];
  const opts = { stride, padding, dilation };
  const pool = poolGeometry([1, C, H, W], window, opts, mode === 'max' ? 'maxPool2d' : 'avgPool2d');
  const xValues = settings.x && settings.x.length === C * H * W ? settings.x : poolDefaultInput(C, H, W);
  const x = tensor([1, C, H, W], xValues, 'x');
  if (mode === 'max') maxPool2d(x, window, opts);
  const { OH, OW } = pool.g;
  const dySize = C * OH * OW;
  const dyValues = settings.dy && settings.dy.length === dySize ? settings.dy : Array.from({ length: dySize }, (_, k) => k + 1);
  const dy = tensor([1, C, OH, OW], dyValues, 'dy');
  return { settings, mode, x, dy, window, opts, pool };
}

/** New random integer values for x (0…9) and dy (−3…3), the shapes unchanged, from `seed`. */
export function poolRandomize(settings: PoolSettings, example: PoolExample, seed: number): PoolSettings {
  const rng = createRng(seed * 7919 + 17);
  const x = Array.from(randomIntegers(example.x.shape, rng, 0, 9).data);
  const dy = Array.from(randomIntegers(example.dy.shape, rng, -3, 3).data);
  return { ...settings, x, dy };
}
