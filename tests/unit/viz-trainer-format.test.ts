import { describe, it, expect } from 'vitest';
import {
  MISSING,
  formatClock,
  formatDuration,
  formatEta,
  formatInteger,
  formatLoss,
  formatPercent,
  formatRate,
} from '../../lib/viz/trainer/format.ts';

describe('trainer readout formatting', () => {
  it('percentages have one decimal by default: 0.9734 → 97.3%', () => {
    expect(formatPercent(0.9734)).toBe('97.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercent(null)).toBe(MISSING);
    expect(formatPercent(Number.NaN)).toBe(MISSING);
  });

  it('losses have three decimals, and a fault reads as words', () => {
    expect(formatLoss(2.302585)).toBe('2.303');
    expect(formatLoss(0.0004)).toBe('0.000');
    expect(formatLoss(null)).toBe(MISSING);
    expect(formatLoss(Number.NaN)).toBe('not a number');
    expect(formatLoss(Infinity)).toBe('infinite');
    expect(formatLoss(-Infinity)).toBe('infinite');
  });

  it('images per second is a whole number without separators', () => {
    expect(formatRate(211.6)).toBe('212');
    expect(formatRate(6034.2)).toBe('6034');
    expect(formatRate(0)).toBe(MISSING);
    expect(formatRate(null)).toBe(MISSING);
  });

  it('durations round up to the second and switch units at a minute and an hour', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(59.5)).toBe('1 min 00 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe(MISSING);
    expect(formatDuration(-1)).toBe(MISSING);
  });

  it('the ETA says what is left, or that it is still being estimated', () => {
    expect(formatEta(42)).toBe('about 42 s left in this epoch');
    expect(formatEta(null)).toBe('estimating time left…');
  });

  it('integers get thousands separators', () => {
    expect(formatInteger(60000)).toBe('60,000');
    expect(formatInteger(999)).toBe('999');
    expect(formatInteger(1234567)).toBe('1,234,567');
  });

  it('clock times are 24-hour with two digits each', () => {
    expect(formatClock(new Date(2024, 0, 1, 9, 5, 3))).toBe('09:05:03');
    expect(formatClock(new Date(2024, 0, 1, 23, 59, 59))).toBe('23:59:59');
  });
});
