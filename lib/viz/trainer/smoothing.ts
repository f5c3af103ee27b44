import { ConvConfigError, describeValue } from '../../errors.ts';

/**
 * Exponential moving average with bias correction (as TensorBoard smooths training curves):
 * `e_t = w·e_{t−1} + (1 − w)·v_t`, `e_0 = 0`, reported as `e_t / (1 − w^t)`, so the first value is
 * `v_1` and a constant series stays constant. `weight` in [0, 1) (0: no smoothing). Non-finite
 * values are skipped: they do not enter the average and their slot repeats the previous smoothed
 * value (NaN before any finite value).
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): Float64Array {
  if (typeof weight !== 'number' || !(weight >= 0 && weight < 1)) {
    throw new ConvConfigError('weight', `weight must be a number in [0, 1), got ${describeValue(weight)}`);
  }
  const out = new Float64Array(values.length);
  let e = 0;
  let decay = 1;
  let last = NaN;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isFinite(v)) {
      e = weight * e + (1 - weight) * v;
      decay *= weight;
      last = e / (1 - decay);
    }
    out[k] = last;
  }
  return out;
}
