import { describe, it, expect } from 'vitest';
import { emaSmooth } from '../../lib/viz/trainer/smoothing.ts';
import { buildTrainingChart, thinIndices } from '../../lib/viz/trainer/chart.ts';
import type { StepPoint } from '../../lib/train/protocol.ts';
import { ConvConfigError } from '../../lib/errors.ts';

const steps = (losses: number[], perEpoch = 10): StepPoint[] =>
  losses.map((loss, k) => ({ step: k + 1, epoch: (k + 1) / perEpoch, loss, accuracy: Math.min(1, 0.1 * (k + 1)) }));

describe('emaSmooth (bias-corrected EMA)', () => {
  it('weight ½ on [1, 2, 3]: 1, 5/3, 17/7 by hand', () => {
    // e1 = ½, e2 = ¼ + 1 = 1.25, e3 = 0.625 + 1.5 = 2.125; divided by 1 − ½, 1 − ¼, 1 − ⅛.
    const s = emaSmooth([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(5 / 3, 12);
    expect(s[2]).toBeCloseTo(17 / 7, 12);
  });

  it('keeps a constant series constant and weight 0 is the identity', () => {
    expect(Array.from(emaSmooth([4, 4, 4, 4], 0.95)).every((v) => Math.abs(v - 4) < 1e-12)).toBe(true);
    expect(Array.from(emaSmooth([3, -1, 7], 0))).toEqual([3, -1, 7]);
  });

  it('skips non-finite values: they repeat the previous smoothed value', () => {
    const s = emaSmooth([NaN, 2, Infinity, 2], 0.5);
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(2);
    expect(s[2]).toBe(2);
    expect(s[3]).toBeCloseTo(2, 12);
  });

  it('rejects a weight outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow(ConvConfigError);
    expect(() => emaSmooth([1], -0.1)).toThrow(/weight must be a number in \[0, 1\), got -0.1/);
  });
});

describe('thinIndices', () => {
  it('keeps everything when short, and every k-th plus the last when long', () => {
    expect(thinIndices(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thinIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(thinIndices(11, 4)).toEqual([0, 3, 6, 9, 10]);
    expect(thinIndices(0, 4)).toEqual([]);
    expect(thinIndices(10_000, 400).length).toBeLessThanOrEqual(401);
  });
});

describe('buildTrainingChart', () => {
  it('starts empty with a fixed x axis of the planned epochs', () => {
    const c = buildTrainingChart([], [], { epochs: 3 });
    expect(c.loss).toEqual([]);
    expect(c.xDomain).toEqual([0, 3]);
    expect(c.lossDomain).toEqual([0, 0.5]);
    expect(c.accuracyDomain).toEqual([0, 1]);
    expect(c.latest).toEqual({ loss: null, accuracy: null, testAccuracy: null });
    expect(c.summary).toBe('Loss and accuracy chart: no training steps yet.');
  });

  it('smooths the loss with the EMA and places points at their fractional epoch', () => {
    const pts = steps([2.4, 2.0, 1.6, 1.2]);
    const c = buildTrainingChart(pts, [], { epochs: 2, smoothing: 0.5 });
    const expected = emaSmooth([2.4, 2.0, 1.6, 1.2], 0.5);
    expect(c.loss.map((p) => p.x)).toEqual([0.1, 0.2, 0.3, 0.4]);
    c.loss.forEach((p, k) => expect(p.y).toBeCloseTo(expected[k], 12));
    expect(c.rawLoss.map((p) => p.y)).toEqual([2.4, 2.0, 1.6, 1.2]);
    expect(c.lossDomain[1]).toBeCloseTo(2.4, 12);
    expect(c.latest.loss).toBeCloseTo(expected[3], 12);
  });

  it('puts test accuracy at whole epochs and mentions it in the summary', () => {
    const c = buildTrainingChart(steps([1, 0.5]), [{ epoch: 1, accuracy: 0.973 }], { epochs: 2, smoothing: 0 });
    expect(c.testAccuracy).toEqual([{ x: 1, y: 0.973 }]);
    expect(c.latest.testAccuracy).toBe(0.973);
    expect(c.summary).toBe(
      'Loss and accuracy chart: after step 2 (epoch 0.20), smoothed training loss 0.500, smoothed batch accuracy 20.0%, test accuracy 97.3% after epoch 1.',
    );
  });

  it('leaves NaN and infinite losses out of the curves and the domain', () => {
    const c = buildTrainingChart(steps([1, NaN, Infinity, 0.8]), [], { epochs: 1, smoothing: 0 });
    expect(c.rawLoss.map((p) => p.y)).toEqual([1, 0.8]);
    expect(c.loss.every((p) => Number.isFinite(p.y))).toBe(true);
    expect(c.lossDomain).toEqual([0, 1]);
  });

  it('thins long runs but always keeps the last point', () => {
    const pts = steps(
      Array.from({ length: 5000 }, (_, k) => 2 / (1 + k / 100)),
      1000,
    );
    const c = buildTrainingChart(pts, [], { epochs: 5, maxPoints: 200 });
    expect(c.loss.length).toBeLessThanOrEqual(201);
    expect(c.loss[c.loss.length - 1].x).toBe(5);
    expect(c.xDomain).toEqual([0, 5]);
  });

  it('widens the x axis when the run goes past the planned epochs', () => {
    const c = buildTrainingChart(steps([1, 1, 1], 1), [], { epochs: 2 });
    expect(c.xDomain).toEqual([0, 3]);
  });

  it('rejects a bad epoch count', () => {
    expect(() => buildTrainingChart([], [], { epochs: 0 })).toThrow(/epochs must be a positive integer, got 0/);
  });
});
