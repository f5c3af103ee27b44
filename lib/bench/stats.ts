import { ConvConfigError, describeValue } from '../errors.ts';

/** Summary statistics of repeated timings, in the unit of the samples (milliseconds in the lesson). */
export interface Stats {
  /** Number of samples. */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (divides by n − 1, like pandas' describe); 0 for a single sample. */
  readonly std: number;
  readonly min: number;
  /** The middle sample, or the mean of the two middle ones for an even count. */
  readonly median: number;
  readonly max: number;
}

/**
 * Mean, sample standard deviation, min, median and max of `samples` (at least one finite, non-negative
 * time). Throws ConvConfigError for an empty list or a sample that is not a finite number ≥ 0.
 */
export function summarize(samples: readonly number[]): Stats {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new ConvConfigError('samples', `samples must be a non-empty list of times, got ${describeValue(samples)}`);
  }
  samples.forEach((s, k) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new ConvConfigError('samples', `samples[${k}] must be a finite time ≥ 0, got ${describeValue(s)}`);
    }
  });
  const n = samples.length;
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const squares = sorted.reduce((a, b) => a + (b - mean) ** 2, 0);
  const std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
  const mid = n >> 1;
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n, mean, std, min: sorted[0], median, max: sorted[n - 1] };
}

/**
 * How many times faster `method` is than `baseline`: the ratio of their median times. (The seed
 * slides divided means; one slow run — a garbage collection, a compile, a busy core — moves a
 * mean a long way and a median hardly at all.) Null when either is missing or the method's median
 * is 0 (a clock too coarse to see it).
 */
export function speedup(baseline: Stats | null | undefined, method: Stats | null | undefined): number | null {
  if (!baseline || !method || !(method.median > 0)) return null;
  return baseline.median / method.median;
}

/** A cell's spread counts as wide when its slowest run took more than this many times its median. */
export const WIDE_SPREAD_FACTOR = 3;

/** Whether the slowest run took more than WIDE_SPREAD_FACTOR × the median (its mean then says little). */
export function hasWideSpread(s: Pick<Stats, 'max' | 'median'> | null | undefined): boolean {
  return !!s && s.max > WIDE_SPREAD_FACTOR * s.median;
}
