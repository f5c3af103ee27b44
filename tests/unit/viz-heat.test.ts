import { describe, expect, it } from 'vitest';
import { rgb } from 'd3-color';
import { contrastRatio, gridHeatScale, inkOn } from '../../lib/viz/heat.ts';

describe('gridHeatScale', () => {
  it('signed: symmetric about 0 — the largest magnitude is the darkest red (positive) or blue (negative), 0 is near white', () => {
    const scale = gridHeatScale(
      [
        [-2, 0.5],
        [1, Number.NaN],
      ],
      'signed',
    );
    const pos = rgb(scale(2));
    const neg = rgb(scale(-2));
    const zero = rgb(scale(0));
    expect(pos.r).toBeGreaterThan(pos.b);
    expect(neg.b).toBeGreaterThan(neg.r);
    expect(Math.min(zero.r, zero.g, zero.b)).toBeGreaterThan(230);
    // The domain is fitted to the largest |value| (2), not to the largest value (1).
    expect(scale(1)).not.toBe(scale(2));
  });

  it('count: runs from 0 (lightest) to the largest count, at least 1', () => {
    const scale = gridHeatScale(
      [
        [0, 1],
        [2, 4],
      ],
      'count',
    );
    const lum = (v: number) => {
      const c = rgb(scale(v));
      return c.r + c.g + c.b;
    };
    expect(lum(0)).toBeGreaterThan(lum(2));
    expect(lum(2)).toBeGreaterThan(lum(4));
    expect(gridHeatScale([[0, 0]], 'count')(0)).toBe(gridHeatScale([[0, 1]], 'count')(0));
  });

  it('the ink chosen on every fill of both scales reads at 4.5:1 or better', () => {
    for (const heat of ['signed', 'count'] as const) {
      const scale = gridHeatScale([[-10, 10]], heat);
      for (let v = -10; v <= 10; v += 0.25) {
        const fill = scale(v);
        expect(contrastRatio(fill, inkOn(fill))).toBeGreaterThanOrEqual(4.5);
      }
    }
  });
});
