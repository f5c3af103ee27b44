import { ConvConfigError, describeValue } from '../../errors.ts';

/**
 * Gray levels in [0, 1] for values scaled by `scale`: with `signed`, `½ + v / (2·scale)` (zero is
 * mid-gray, −scale black, +scale white); otherwise `v / scale` clamped to [0, 1]. A zero scale
 * gives mid-gray (signed) or black. `scale` must be finite and ≥ 0.
 */
export function grayLevels(values: ArrayLike<number>, scale: number, signed: boolean): Float32Array {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
    throw new ConvConfigError('scale', `scale must be a finite number ≥ 0, got ${describeValue(scale)}`);
  }
  const out = new Float32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = Number.isFinite(values[k]) ? values[k] : 0;
    const g = scale === 0 ? (signed ? 0.5 : 0) : signed ? 0.5 + v / (2 * scale) : v / scale;
    out[k] = Math.min(1, Math.max(0, g));
  }
  return out;
}

/** The largest |v| of finite values (0 for none). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) {
    const a = Math.abs(values[k]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m;
}

/**
 * RGBA bytes (`ImageData.data` layout) for gray levels in [0, 1]: each level `g` becomes the
 * opaque gray `round(255·g)` (or `255 − round(255·g)` with `invert`).
 */
export function grayRgba(levels: ArrayLike<number>, invert = false): Uint8ClampedArray {
  const out = new Uint8ClampedArray(levels.length * 4);
  for (let k = 0; k < levels.length; k++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, levels[k])));
    const v = invert ? 255 - g : g;
    out[4 * k] = v;
    out[4 * k + 1] = v;
    out[4 * k + 2] = v;
    out[4 * k + 3] = 255;
  }
  return out;
}

/** Raw MNIST pixels 0..255 of test digit `index` as gray levels in [0, 1] (784 values). */
export function digitLevels(images: Uint8Array, index: number, pixels = 784): Float32Array {
  const count = Math.floor(images.length / pixels);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ConvConfigError('index', `index must be an integer in [0, ${count - 1}], got ${describeValue(index)}`);
  }
  const out = new Float32Array(pixels);
  for (let k = 0; k < pixels; k++) out[k] = images[index * pixels + k] / 255;
  return out;
}
