import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { SETTING_FIELDS, buildExample, randomizeValues } from '../conv-settings.ts';
import { outputSize } from '../../geometry.ts';
import type { FigureField, FigureValues } from './spec.ts';

/**
 * The parts a FigureSpec over ConvSettings shares with every convolution figure: its fields
 * (SETTING_FIELDS with their URL parameters `h`, `w`, `kh`, `kw`, `s`, `p`, `d`, `c`, `f`, `n`),
 * the value lists `x` (input, NCHW), `k` (kernel, [F, C, KH, KW]) and `g` (upstream gradient,
 * [N, F, OH, OW]), the engine-checked example and new random values.
 */

/** The fields `keys` of SETTING_FIELDS, in SETTING_FIELDS' order. */
export function convFields(keys: readonly NumericKey[]): FigureField<ConvSettings>[] {
  return SETTING_FIELDS.filter((f) => keys.includes(f.key)).map((f) => ({ ...f }));
}

/** The engine's output length along one axis (outputSize), 0 when the kernel does not fit. */
function outputCount(size: number, kernel: number, s: ConvSettings): number {
  const n = outputSize(size, kernel, s.stride, s.padding, s.dilation);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The value lists of a convolution example: input `x`, kernel `k`, and (with `gradient`) `g`. */
export function convValues(gradient = false): FigureValues<ConvSettings, ConvExample>[] {
  const lists: FigureValues<ConvSettings, ConvExample>[] = [
    { key: 'x', param: 'x', label: 'input values', size: (s) => s.N * s.C * s.H * s.W, current: (e) => e.x.data },
    { key: 'w', param: 'k', label: 'kernel values', size: (s) => s.F * s.C * s.KH * s.KW, current: (e) => e.w.data },
  ];
  if (gradient) {
    lists.push({
      key: 'dy',
      param: 'g',
      label: 'gradient values',
      size: (s) => s.N * s.F * outputCount(s.H, s.KH, s) * outputCount(s.W, s.KW, s),
      current: (e) => e.dy.data,
    });
  }
  return lists;
}

/** The checked example of convolution settings (buildExample: the engine's checks). */
export function convExample(settings: ConvSettings): ConvExample {
  return buildExample(settings);
}

/** New random integer values for x, w and dy (randomizeValues), the shapes unchanged. */
export function convRandomize(settings: ConvSettings, example: ConvExample, seed: number): ConvSettings {
  return randomizeValues({ settings, example, error: null }, seed).settings;
}
