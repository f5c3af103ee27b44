/**
 * Central finite differences for gradient checks, computed in float64.
 *
 * The ops take float32 inputs, so a perturbed entry is stored back into a Float32Array; the step
 * actually taken is read back after rounding (`hi − lo`), so the quotient divides by the true
 * change of the input rather than by the nominal `2·eps`.
 */
export function centralDifference(f: (x: Float32Array) => number, x: Float32Array, eps = 1e-2): Float64Array {
  const grad = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const original = x[k];
    x[k] = original + eps;
    const hi = x[k];
    const fPlus = f(x);
    x[k] = original - eps;
    const lo = x[k];
    const fMinus = f(x);
    x[k] = original;
    grad[k] = (fPlus - fMinus) / (hi - lo);
  }
  return grad;
}

/** `Σ a[k]·b[k]` in float64: turns an op's output into a scalar loss with fixed weights `b`. */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot64: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/**
 * The largest `|actual − expected| / (atol + rtol·|expected|)` over all entries; ≤ 1 means every
 * entry is within tolerance. Returns Infinity when the lengths differ or an entry is NaN.
 */
export function worstError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < actual.length; k++) {
    const e = Math.abs(actual[k] - expected[k]) / (atol + rtol * Math.abs(expected[k]));
    if (Number.isNaN(e)) return Infinity;
    if (e > worst) worst = e;
  }
  return worst;
}
