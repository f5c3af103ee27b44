import type { Tensor } from '../tensor.ts';

/**
 * How far a method's results are from a reference's, as one number: the largest absolute
 * difference over every entry of every tensor, divided by the largest absolute reference value
 * (at least 1). Infinity when the lists or shapes differ or a value is NaN. Float32 sums of a few
 * thousand terms in a different order land around 1e-6.
 */
export function relativeError(actual: readonly Tensor[], expected: readonly Tensor[]): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 1;
  for (let t = 0; t < expected.length; t++) {
    const a = actual[t];
    const e = expected[t];
    if (a.data.length !== e.data.length || a.shape.length !== e.shape.length || a.shape.some((d, k) => d !== e.shape[k])) return Infinity;
    for (let k = 0; k < e.data.length; k++) {
      const d = Math.abs(a.data[k] - e.data[k]);
      if (!(d <= worst)) worst = d; // a NaN makes worst NaN
      const m = Math.abs(e.data[k]);
      if (m > scale) scale = m;
    }
  }
  return Number.isNaN(worst) ? Infinity : worst / scale;
}

/** The tolerance the page holds every method to: results within 1e-4 of the reference, relative to its largest value. */
export const AGREEMENT_TOLERANCE = 1e-4;
