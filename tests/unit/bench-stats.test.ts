import { describe, it, expect } from 'vitest';
import { summarize, speedup, hasWideSpread, WIDE_SPREAD_FACTOR } from '../../lib/bench/stats.ts';
import { SEED_TABLES, SEED_METHODS, seedSpeedup, seedTable } from '../../lib/bench/seed-figures.ts';
import { formatMs, formatSpeedup, formatMegabytes } from '../../lib/bench/format.ts';
import { ConvConfigError } from '../../lib/errors.ts';

describe('summarize', () => {
  it('gives mean, sample std, min, median and max of [2, 4, 4, 4, 5, 5, 7, 9] by hand', () => {
    const s = summarize([9, 4, 2, 5, 4, 7, 4, 5]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    // Σ(x − 5)² = 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; sample variance 32 / 7.
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.min).toBe(2);
    expect(s.median).toBe(4.5); // the mean of the middle two, 4 and 5
    expect(s.max).toBe(9);
  });

  it('takes the middle sample for an odd count and leaves the input order alone', () => {
    const samples = [3, 1, 2];
    const s = summarize(samples);
    expect(s.median).toBe(2);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('has zero spread for one sample', () => {
    expect(summarize([1.5])).toEqual({ n: 1, mean: 1.5, std: 0, min: 1.5, median: 1.5, max: 1.5 });
  });

  it('refuses an empty list, NaN, Infinity and negative times by name', () => {
    expect(() => summarize([])).toThrow(ConvConfigError);
    expect(() => summarize([])).toThrow(/samples must be a non-empty list/);
    expect(() => summarize([1, Number.NaN])).toThrow('samples[1] must be a finite time ≥ 0, got NaN');
    expect(() => summarize([Infinity])).toThrow(/samples\[0\].*Infinity/);
    expect(() => summarize([-1])).toThrow(/got -1/);
  });
});

describe('speedup', () => {
  it('is the ratio of the medians, baseline over method', () => {
    expect(speedup(summarize([10, 30]), summarize([4, 6]))).toBe(4);
    // medians 20 and 2 (means 20 and 11): one slow run of the method does not drag the ratio down
    expect(speedup(summarize([10, 20, 30]), summarize([1, 2, 30]))).toBe(10);
  });
  it('is null when a side is missing or the method took no measurable time', () => {
    expect(speedup(null, summarize([1]))).toBeNull();
    expect(speedup(summarize([1]), undefined)).toBeNull();
    expect(speedup(summarize([1]), summarize([0, 0]))).toBeNull();
  });
});

describe('the seed slides’ figures', () => {
  it('reproduce the factors the slides state in words (im2col vs nested loops, ratio of means)', () => {
    // "1913 times faster", "7105 times faster", "353 times faster", "1613 times faster".
    expect(Math.round(seedSpeedup(seedTable('forward', 1)!, 'im2col')!)).toBe(1913);
    expect(Math.round(seedSpeedup(seedTable('forward', 32)!, 'im2col')!)).toBe(7105);
    expect(Math.round(seedSpeedup(seedTable('backward', 1)!, 'im2col')!)).toBe(353);
    expect(Math.round(seedSpeedup(seedTable('backward', 32)!, 'im2col')!)).toBe(1613);
  });

  it('reproduce the PyTorch comparisons the slides state (33 % and 63 % less time forward, 83 % more backward at batch 1)', () => {
    const pct = (pass: 'forward' | 'backward', batch: number) => {
      const t = seedTable(pass, batch)!;
      return Math.round((100 * (t.stats.im2col.mean - t.stats.pytorch.mean)) / t.stats.pytorch.mean);
    };
    expect(pct('forward', 1)).toBe(-33);
    expect(pct('forward', 32)).toBe(-63);
    // "slower than PyTorch, with an increase of 83 % in time" reads PyTorch's time as the smaller one.
    const b1 = seedTable('backward', 1)!;
    expect(Math.round(100 * (1 - b1.stats.pytorch.mean / b1.stats.im2col.mean))).toBe(83);
  });

  it('has four tables with every method, each column ordered min ≤ q25 ≤ median ≤ q75 ≤ max', () => {
    expect(SEED_TABLES.map((t) => `${t.pass}/${t.batch}`)).toEqual(['forward/1', 'forward/32', 'backward/1', 'backward/32']);
    for (const t of SEED_TABLES) {
      expect(t.batches).toBe(t.batch === 1 ? 960 : 30);
      for (const m of SEED_METHODS) {
        const s = t.stats[m.id];
        expect([s.min, s.q25, s.median, s.q75, s.max]).toEqual([...[s.min, s.q25, s.median, s.q75, s.max]].sort((a, b) => a - b));
        expect(s.mean).toBeGreaterThanOrEqual(s.min);
        expect(s.mean).toBeLessThanOrEqual(s.max);
      }
    }
    expect(seedTable('forward', 7)).toBeUndefined();
  });
});

describe('formats', () => {
  it('prints ms with about three significant digits and an em dash for missing values', () => {
    expect(formatMs(905.063)).toBe('905');
    expect(formatMs(28.7978)).toBe('28.8');
    expect(formatMs(4.053)).toBe('4.05');
    expect(formatMs(0.473)).toBe('0.473');
    expect(formatMs(0)).toBe('0');
    expect(formatMs(null)).toBe('—');
    expect(formatMs(Number.NaN)).toBe('—');
  });
  it('prints speed-ups and megabytes', () => {
    expect(formatSpeedup(1913.4)).toBe('1913×');
    expect(formatSpeedup(14.24)).toBe('14.2×');
    expect(formatSpeedup(0.847)).toBe('0.85×');
    expect(formatSpeedup(null)).toBe('—');
    expect(formatMegabytes(4.3923)).toBe('4.39');
  });
});

describe('hasWideSpread', () => {
  it('flags a cell whose slowest run took more than 3× its median, and only that', () => {
    expect(WIDE_SPREAD_FACTOR).toBe(3);
    expect(hasWideSpread(summarize([1, 1, 3]))).toBe(false); // exactly 3×
    expect(hasWideSpread(summarize([1, 1, 3.01]))).toBe(true);
    expect(hasWideSpread(summarize([0.6, 0.6, 0.6, 14.4]))).toBe(true); // mean 4.05 against a median of 0.6
    expect(hasWideSpread(null)).toBe(false);
  });
});
