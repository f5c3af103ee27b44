import { describe, it, expect } from 'vitest';
import { actionForKey, clampStep, stepDuration } from '../../lib/viz/stepper.ts';
import { PROGRESS_KEY, markVisited, parseVisited } from '../../lib/viz/progress.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';
import { formatBytes, formatProduct, formatValue } from '../../lib/viz/format.ts';
import { planeOf } from '../../lib/viz/grid.ts';
import { ConvConfigError, tensor } from '../../lib/index.ts';
import { readFileSync } from 'node:fs';

describe('stepper keys', () => {
  it('arrows move one step and stop at the ends; Home/End jump; Space toggles', () => {
    expect(actionForKey('ArrowRight', 2, 4)).toEqual({ kind: 'goto', index: 3 });
    expect(actionForKey('ArrowRight', 3, 4)).toEqual({ kind: 'goto', index: 3 });
    expect(actionForKey('ArrowLeft', 0, 4)).toEqual({ kind: 'goto', index: 0 });
    expect(actionForKey('Home', 3, 4)).toEqual({ kind: 'goto', index: 0 });
    expect(actionForKey('End', 0, 4)).toEqual({ kind: 'goto', index: 3 });
    expect(actionForKey(' ', 0, 4)).toEqual({ kind: 'toggle' });
    expect(actionForKey('x', 0, 4)).toEqual({ kind: 'none' });
  });
  it('clamps out-of-range and non-finite indices; faster speeds mean shorter steps', () => {
    expect(clampStep(9, 4)).toBe(3);
    expect(clampStep(-2, 4)).toBe(0);
    expect(clampStep(Number.NaN, 4)).toBe(0);
    expect(clampStep(2, 0)).toBe(0);
    expect(stepDuration(2)).toBeLessThan(stepDuration(1));
    expect(stepDuration(0)).toBe(stepDuration(1));
  });
});

describe('progress', () => {
  it('adds visited lessons and survives garbage in storage', () => {
    expect(PROGRESS_KEY).toContain('unrolled');
    const once = markVisited(null, '02-im2col');
    const twice = markVisited(once, '01-convolution-by-hand');
    expect([...parseVisited(twice)]).toEqual(['01-convolution-by-hand', '02-im2col']);
    expect(parseVisited('{not json').size).toBe(0);
    expect(parseVisited('{"a":1}').size).toBe(0);
    expect([...parseVisited('["ok", 3, null]')]).toEqual(['ok']);
  });
});

describe('source snippets', () => {
  const file = 'lib/im2col/im2col.ts';
  const source = readFileSync(file, 'utf8');
  it('cuts one exported function out of the engine source and finds the marked line', () => {
    const s = extractSnippet(source, file, 'im2colInto', { copy: 'cols[dst + ow] = value;' });
    expect(s.code.startsWith('export function im2colInto(')).toBe(true);
    expect(s.code.endsWith('}')).toBe(true);
    expect(s.code.split('\n')[s.marks.copy - 1]).toContain('cols[dst + ow] = value;');
  });
  it('a missing function or an ambiguous fragment is an error that names it', () => {
    expect(() => extractSnippet(source, file, 'nope', {})).toThrow(ConvConfigError);
    expect(() => extractSnippet(source, file, 'im2colInto', { x: 'const' })).toThrow(/occurs \d+ times/);
  });
});

describe('formatting', () => {
  it('prints integers plainly, trims decimals, and never shows −0', () => {
    expect(formatValue(283)).toBe('283');
    expect(formatValue(3.14159)).toBe('3.142');
    expect(formatValue(-0)).toBe('0');
    expect(formatValue(1e-9)).toBe('0');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatProduct(4, -2)).toBe('4·(-2)');
    // AlexNet's X_col: 363 × 3025 float32 = 4 392 300 bytes, in decimal units (MB = 10⁶ bytes).
    expect(formatBytes(4 * 363 * 3025)).toBe('4.39 MB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(999_999)).toBe('1 MB');
    expect(formatBytes(618_348)).toBe('618.35 kB');
    expect(formatBytes(4 * 2 ** 28)).toBe('1.07 GB');
    expect(formatBytes(1.991e65)).toBe('1.99 × 10⁶⁵ B');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('more than any memory');
  });
  it('planeOf reads one NCHW plane or a whole matrix, and refuses bad indices', () => {
    const t = tensor([2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(planeOf(t, 1, 0)).toEqual([
      [5, 6],
      [7, 8],
    ]);
    expect(planeOf(tensor([2, 3], [1, 2, 3, 4, 5, 6]))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => planeOf(t, 2, 0)).toThrow('n must be an integer in [0, 1], got 2');
  });
});
