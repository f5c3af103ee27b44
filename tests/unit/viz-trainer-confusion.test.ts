import { describe, it, expect } from 'vitest';
import { confusionCells, confusionMatrix, topConfusion } from '../../lib/viz/trainer/confusion.ts';
import { digitGrid, digitLabel } from '../../lib/viz/trainer/digit-grid.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { contrastRatio, shareHeatColors as heatColors, relativeLuminance } from '../../lib/viz/heat.ts';

describe('confusionMatrix', () => {
  // By hand: labels 0 0 1 1 2 2, predictions 0 1 1 1 2 0 → row 0: [1, 1, 0], row 1: [0, 2, 0], row 2: [1, 0, 1].
  const m = confusionMatrix([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2], 3);

  it('counts (true, predicted) pairs, rows true and columns predicted', () => {
    expect(m.counts).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(m.rowTotals).toEqual([2, 2, 2]);
    expect(m.colTotals).toEqual([2, 3, 1]);
    expect(m.correct).toBe(4);
    expect(m.total).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('heat is the share of the row, light text on dark cells', () => {
    const cells = confusionCells(m);
    expect(cells[1][1]).toEqual({ truth: 1, predicted: 1, count: 2, share: 1, diagonal: true, lightText: true });
    expect(cells[0][1]).toEqual({ truth: 0, predicted: 1, count: 1, share: 0.5, diagonal: false, lightText: false });
    expect(cells[2][1].share).toBe(0);
  });

  it('finds the most frequent mistake', () => {
    const big = confusionMatrix([7, 1, 1, 4, 9, 9, 9], [7, 7, 7, 4, 4, 4, 4], 10);
    expect(topConfusion(big)).toEqual({ truth: 4, predicted: 9, count: 3 });
    expect(topConfusion(confusionMatrix([1, 2], [1, 2], 3))).toBeNull();
  });

  it('agrees with a direct count on random data', () => {
    const n = 500;
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 10);
    const preds = Array.from({ length: n }, (_, i) => (i * 13 + (i % 3)) % 10);
    const cm = confusionMatrix(preds, labels);
    for (let t = 0; t < 10; t++)
      for (let p = 0; p < 10; p++) {
        expect(cm.counts[t][p]).toBe(labels.filter((l, i) => l === t && preds[i] === p).length);
      }
  });

  it('rejects mismatched lengths and classes out of range', () => {
    expect(() => confusionMatrix([1], [1, 2])).toThrow(ConvConfigError);
    expect(() => confusionMatrix([1], [1, 2])).toThrow(/predictions must have one entry per label \(2\), got 1/);
    expect(() => confusionMatrix([10], [1])).toThrow(/predictions\[0\] must be an integer class in \[0, 10\), got 10/);
    expect(() => confusionMatrix([1], [-1])).toThrow(/labels\[0\]/);
  });
});

describe('digitGrid', () => {
  // 30 labels cycling 0..9 three times; prediction wrong for every index divisible by 4.
  const labels = Array.from({ length: 30 }, (_, i) => i % 10);
  const preds = labels.map((l, i) => (i % 4 === 0 ? (l + 1) % 10 : l));

  it('labels each digit for screen readers', () => {
    expect(digitLabel(7, 1)).toBe('true 7, predicted 1 (mistake)');
    expect(digitLabel(7, 7)).toBe('true 7, predicted 7');
    expect(digitLabel(3, null)).toBe('true 3, not predicted yet');
  });

  it('takes the first perClass digits of each class, in test order', () => {
    const g = digitGrid(labels, preds, { perClass: 2 });
    expect(g.items.map((d) => d.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(g.items[0]).toEqual({ index: 0, truth: 0, predicted: 1, mistake: true, label: 'true 0, predicted 1 (mistake)' });
    expect(g.items[1].mistake).toBe(false);
    // Mistakes in the whole set: indices 0, 4, 8, 12, 16, 20, 24, 28.
    expect(g.mistakes).toBe(8);
    expect(g.caption).toBe('20 test digits, 2 of each class: 5 misclassified here, 8 in the whole test set.');
  });

  it('gives a class whose first digits are all right its first mistake, in the last place', () => {
    // Class 1 (indices 1, 11, 21): only 21 is wrong here.
    const p = labels.map((l, i) => (i === 21 ? 7 : l));
    const g = digitGrid(labels, p, { perClass: 2 });
    expect(g.items.filter((d) => d.truth === 1).map((d) => d.index)).toEqual([1, 21]);
    expect(g.items.filter((d) => d.truth === 3).map((d) => d.index)).toEqual([3, 13]);
    expect(
      digitGrid(labels, p, { perClass: 2, mistakeSlots: 0 })
        .items.filter((d) => d.truth === 1)
        .map((d) => d.index),
    ).toEqual([1, 11]);
  });

  it('stratifies even when the classes are unbalanced', () => {
    const skewed = [...Array(20).fill(3), 1, 2];
    const g = digitGrid(skewed, null, { perClass: 2 });
    expect(g.items.map((d) => d.truth)).toEqual([3, 3, 1, 2]);
  });

  it('shows only mistakes on request, up to perClass·classes of them', () => {
    const g = digitGrid(labels, preds, { perClass: 1, mistakesOnly: true });
    expect(g.items.map((d) => d.index)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(g.items.every((d) => d.mistake)).toBe(true);
    expect(g.caption).toBe('The first 8 of 8 mistakes on the test set.');
    const few = digitGrid(labels, preds, { perClass: 1, classes: 3, mistakesOnly: true });
    expect(few.items).toHaveLength(3);
  });

  it('works before the first epoch: no predictions, no mistakes, a caption that says so', () => {
    const g = digitGrid(labels, null);
    expect(g.items).toHaveLength(30);
    expect(g.items.every((d) => d.predicted === null && !d.mistake)).toBe(true);
    expect(digitGrid(labels, null, { mistakesOnly: true }).caption).toMatch(/after the first quick check/);
    expect(digitGrid(labels, labels, { mistakesOnly: true }).caption).toBe('No mistakes on the test set.');
  });

  it('rejects predictions of the wrong length', () => {
    expect(() => digitGrid(labels, [1, 2])).toThrow(/predictions must have one entry per label \(30\), got 2/);
    expect(() => digitGrid(labels, null, { perClass: 0 })).toThrow(ConvConfigError);
  });
});

describe('heat-map colours', () => {
  it('luminance and contrast follow WCAG: black on white is 21:1', () => {
    expect(relativeLuminance('#fff')).toBeCloseTo(1, 9);
    expect(relativeLuminance('#000')).toBe(0);
    expect(contrastRatio('#000', '#ffffff')).toBeCloseTo(21, 9);
  });

  it('every share gets a text colour with at least 4.5:1 contrast on its fill', () => {
    for (let k = 1; k <= 200; k++) {
      const { fill, ink } = heatColors(k / 200);
      expect(contrastRatio(fill!, ink!)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('darker for larger shares, nothing for zero', () => {
    expect(heatColors(0)).toEqual({ fill: null, ink: null });
    expect(relativeLuminance(heatColors(0.9).fill!)).toBeLessThan(relativeLuminance(heatColors(0.1).fill!));
    expect(heatColors(1).ink).toBe('#fff');
    expect(heatColors(0.01).ink).toBe('#000');
  });
});
