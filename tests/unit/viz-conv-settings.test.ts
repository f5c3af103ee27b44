import { describe, it, expect } from 'vitest';
import {
  SEED_SETTINGS,
  applySettings,
  buildExample,
  initialState,
  randomizeValues,
  setNumber,
  setValue,
  settingsFromQuery,
  settingsToQuery,
} from '../../lib/viz/conv-settings.ts';
import { conv2d } from '../../lib/index.ts';

describe('conv settings', () => {
  it('the seed defaults build the 3×3 input 1..9 and the 2×2 kernel 10..13 whose convolution is 145 191 / 283 329', () => {
    const ex = buildExample(SEED_SETTINGS);
    expect(Array.from(ex.x.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(ex.w.data)).toEqual([10, 11, 12, 13]);
    expect(ex.geometry.OH).toBe(2);
    expect(Array.from(conv2d(ex.x, ex.w, null).data)).toEqual([145, 191, 283, 329]);
    expect(ex.dy.shape).toEqual([1, 1, 2, 2]);
  });

  it('a stride that the engine refuses keeps the last valid example and carries the engine message', () => {
    const start = initialState(SEED_SETTINGS);
    const bad = setNumber(start, 'KH', '5');
    expect(bad.error).toBe('kernel 5×2 does not fit the padded input 3×3');
    expect(bad.example).toBe(start.example);
    expect(bad.settings.KH).toBe(5);
    const fixed = setNumber(bad, 'padding', '1');
    expect(fixed.error).toBeNull();
    expect(fixed.example.geometry.OH).toBe(1);
    expect(fixed.example.geometry.OW).toBe(4);
  });

  it('an empty or out-of-range field names the field and its range', () => {
    const start = initialState(SEED_SETTINGS);
    expect(setNumber(start, 'stride', '').error).toBe('Stride must be an integer from 1 to 4, got nothing');
    expect(setNumber(start, 'dilation', '9').error).toBe('Dilation must be an integer from 1 to 3, got 9');
    expect(setNumber(start, 'stride', '1.5').error).toBe('Stride must be an integer from 1 to 4, got 1.5');
  });

  it('typing a cell value changes only that value; junk is refused with a message', () => {
    const start = initialState(SEED_SETTINGS);
    const edited = setValue(start, 'x', 4, '-2');
    expect(Array.from(edited.example.x.data)).toEqual([1, 2, 3, 4, -2, 6, 7, 8, 9]);
    const junk = setValue(edited, 'w', 0, 'abc');
    expect(junk.error).toBe('kernel value must be a finite number, got "abc"');
    expect(junk.example).toBe(edited.example);
    const grad = setValue(start, 'dy', 3, '0.5');
    expect(Array.from(grad.example.dy.data)).toEqual([1, 2, 3, 0.5]);
  });

  it('values typed for one size fall back to the defaults when the size changes', () => {
    const edited = setValue(initialState(SEED_SETTINGS), 'x', 0, '7');
    const bigger = setNumber(edited, 'H', '4');
    expect(bigger.example.x.data.length).toBe(12);
    expect(bigger.example.x.data[0]).toBe(1);
  });

  it('randomize is repeatable for a seed and stays within the small-integer ranges', () => {
    const a = randomizeValues(initialState(SEED_SETTINGS), 42);
    const b = randomizeValues(initialState(SEED_SETTINGS), 42);
    expect(Array.from(a.example.x.data)).toEqual(Array.from(b.example.x.data));
    for (const v of a.example.x.data) expect(v >= -5 && v <= 9 && Number.isInteger(v)).toBe(true);
    for (const v of a.example.w.data) expect(v >= -3 && v <= 5 && Number.isInteger(v)).toBe(true);
    for (const v of a.example.dy.data) expect(v >= -3 && v <= 3 && Number.isInteger(v)).toBe(true);
  });

  it('settings survive a round trip through the URL query, behind a prefix', () => {
    let state = initialState(SEED_SETTINGS);
    state = setNumber(state, 'H', '5');
    state = setNumber(state, 'padding', '1');
    state = setValue(state, 'w', 2, '-4');
    const query = settingsToQuery(state.example.settings, SEED_SETTINGS, new URLSearchParams('other=1'), 'pe.');
    expect(query.get('pe.h')).toBe('5');
    expect(query.get('pe.p')).toBe('1');
    expect(query.has('pe.w')).toBe(false);
    expect(query.get('other')).toBe('1');
    const back = settingsFromQuery(query, SEED_SETTINGS, 'pe.');
    expect(back.notices).toEqual([]);
    expect(back.settings).toEqual(state.example.settings);
    expect(Array.from(buildExample(back.settings).w.data)).toEqual([10, 11, -4, 13]);
  });

  it('garbage in the URL falls back to the defaults with a notice, never a throw', () => {
    const a = settingsFromQuery(new URLSearchParams('pe.s=zero&pe.h=4'), SEED_SETTINGS, 'pe.');
    expect(a.settings.H).toBe(4);
    expect(a.settings.stride).toBe(1);
    expect(a.notices[0]).toContain('Ignored stride "zero"');
    const b = settingsFromQuery(new URLSearchParams('pe.kh=7'), SEED_SETTINGS, 'pe.');
    expect(b.settings).toEqual(SEED_SETTINGS);
    expect(b.notices[0]).toContain('does not fit the padded input');
    const c = settingsFromQuery(new URLSearchParams('pe.x=1,2,oops'), SEED_SETTINGS, 'pe.');
    expect(c.notices[0]).toContain('input values');
    const d = settingsFromQuery(new URLSearchParams('pe.x=1,2,3'), SEED_SETTINGS, 'pe.');
    expect(d.notices[0]).toContain('9 were needed, 3 given');
    expect(settingsFromQuery(new URLSearchParams('unrelated=1'), SEED_SETTINGS, 'pe.').settings).toBe(SEED_SETTINGS);
  });

  it('applySettings rethrows errors that are not configuration errors', () => {
    const start = initialState(SEED_SETTINGS);
    const poisoned = {
      ...SEED_SETTINGS,
      get H(): number {
        throw new TypeError('boom');
      },
    };
    expect(() => applySettings(start, poisoned)).toThrow(TypeError);
  });
});
