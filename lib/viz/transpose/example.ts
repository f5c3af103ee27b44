/**
 * The reader-editable example of the transposed-convolution figure (lesson 11): sizes, options and
 * values, checked by the engine. Pure.
 */
import { ConvConfigError } from '../../errors.ts';
import type { Tensor } from '../../tensor.ts';
import { tensor } from '../../tensor.ts';
import type { ConvTransposeOptions, ConvTransposeShapes } from '../../ops/conv2d-transpose.ts';
import { checkConvTransposeArgs } from '../../ops/conv2d-transpose.ts';

/**
 * Settings of one transposed convolution: input `x` `[1, F, H, W]`, kernel `w` `[F, C, KH, KW]`,
 * stride, padding, dilation and outputPadding (the same on both axes in the figure). `x` and `w`
 * hold the values row-major, or null for the defaults (input 1, 2, 3, …; kernel of ones).
 */
export interface TransposeSettings {
  H: number;
  W: number;
  KH: number;
  KW: number;
  stride: number;
  padding: number;
  dilation: number;
  outputPadding: number;
  F: number;
  C: number;
  x: number[] | null;
  w: number[] | null;
}

/** A numeric setting of the figure: its key, URL parameter, label and range. */
export interface TransposeField {
  key: Exclude<keyof TransposeSettings, 'x' | 'w'>;
  param: string;
  label: string;
  min: number;
  max: number;
}

/** The settings the figure offers, with the ranges it draws legibly. */
export const TRANSPOSE_FIELDS: readonly TransposeField[] = [
  { key: 'H', param: 'h', label: 'Input height', min: 1, max: 6 },
  { key: 'W', param: 'w', label: 'Input width', min: 1, max: 6 },
  { key: 'KH', param: 'kh', label: 'Kernel height', min: 1, max: 5 },
  { key: 'KW', param: 'kw', label: 'Kernel width', min: 1, max: 5 },
  { key: 'stride', param: 's', label: 'Stride', min: 1, max: 4 },
  { key: 'padding', param: 'p', label: 'Padding', min: 0, max: 3 },
  { key: 'dilation', param: 'd', label: 'Dilation', min: 1, max: 3 },
  { key: 'outputPadding', param: 'op', label: 'Output padding', min: 0, max: 3 },
  { key: 'F', param: 'f', label: 'Input channels (F)', min: 1, max: 2 },
  { key: 'C', param: 'c', label: 'Output channels (C)', min: 1, max: 2 },
];

/** The figure's start: a 3×3 input stamped by a 3×3 kernel of ones with stride 2 (the checkerboard). */
export const TRANSPOSE_DEFAULTS: TransposeSettings = {
  H: 3,
  W: 3,
  KH: 3,
  KW: 3,
  stride: 2,
  padding: 0,
  dilation: 1,
  outputPadding: 0,
  F: 1,
  C: 1,
  x: null,
  w: null,
};

/** A checked example: tensors, options and the engine's shapes. */
export interface TransposeExample {
  settings: TransposeSettings;
  x: Tensor;
  w: Tensor;
  opts: ConvTransposeOptions;
  shapes: ConvTransposeShapes;
}

/**
 * Builds and checks an example. Throws ConvConfigError for a setting outside the figure's range
 * (naming the field and the range) or for what the engine refuses (its own message).
 */
export function buildTransposeExample(settings: TransposeSettings): TransposeExample {
  for (const field of TRANSPOSE_FIELDS) {
    const v = settings[field.key];
    if (!Number.isInteger(v) || v < field.min || v > field.max) {
      throw new ConvConfigError(
        field.key,
        `${field.label} must be an integer from ${field.min} to ${field.max}, got ${Number.isNaN(v) ? 'nothing' : v}`,
      );
    }
  }
  const { H, W, KH, KW, F, C } = settings;
  const xSize = F * H * W;
  const wSize = F * C * KH * KW;
  const xValues = settings.x && settings.x.length === xSize ? settings.x : Array.from({ length: xSize }, (_, k) => k + 1);
  const wValues = settings.w && settings.w.length === wSize ? settings.w : new Array<number>(wSize).fill(1);
  const x = tensor([1, F, H, W], xValues, 'x');
  const w = tensor([F, C, KH, KW], wValues, 'w');
  const opts: ConvTransposeOptions = {
    stride: settings.stride,
    padding: settings.padding,
    dilation: settings.dilation,
    outputPadding: settings.outputPadding,
  };
  const shapes = checkConvTransposeArgs(x, w, null, opts);
  return { settings, x, w, opts, shapes };
}
