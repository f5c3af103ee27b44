import { describe, expect, it } from 'vitest';
import { attemptDraw, drawFigure, readFigureQuery, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import type { Drawn, FigureStep } from '../../lib/viz/figure/index.ts';
import { FIGURE_SPECS } from './helpers/figure-specs.ts';
import type { AnyFigureSpec } from './helpers/figure-specs.ts';

/**
 * The figure contract, run through every figure on the frame: what a reader can reach (defaults,
 * presets, each field's range, Randomize, a shape change after typed values) draws or is refused
 * with the engine's message, and every link the figure writes reads back to the same picture
 * without a notice.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDrawn = Drawn<any, any, any, FigureStep>;

/** The figure's own keys in a query. */
function ownKeys(spec: AnyFigureSpec, query: URLSearchParams): string[] {
  return [...query.keys()].filter((k) => k.startsWith(spec.prefix));
}

/** Writes `drawn` at step `index` into a fresh query, reads it back, and checks that it restores exactly. */
function expectRoundTrip(spec: AnyFigureSpec, drawn: AnyDrawn, index: number): URLSearchParams {
  const query = writeFigureQuery(spec, drawn, index, new URLSearchParams());
  const restored = readFigureQuery(spec, new URLSearchParams(query.toString()));
  expect(restored.notices).toEqual([]);
  expect(restored.index).toBe(index);
  for (const field of spec.fields) expect(restored.drawn.settings[field.key]).toBe(drawn.settings[field.key]);
  for (const list of spec.values) expect(Array.from(list.current(restored.drawn.example))).toEqual(Array.from(list.current(drawn.example)));
  // Only values that fit the shapes drawn are written.
  for (const list of spec.values) {
    const raw = query.get(spec.prefix + list.param);
    if (raw !== null) expect(raw.split(',').length).toBe(list.size(drawn.settings));
  }
  return query;
}

/** Field values to try: both ends of the range and the neighbours of the default. */
function candidates(min: number, max: number, value: number): number[] {
  return [...new Set([min, max, value - 1, value + 1])].filter((v) => v >= min && v <= max && v !== value);
}

describe.each(FIGURE_SPECS.map(({ lesson, spec }) => ({ name: `lesson ${lesson}: ${spec.label}`, spec })))('$name', ({ spec }) => {
  it('draws its defaults and every preset; every step narrates and points at a line of the loop', () => {
    for (const settings of [spec.defaults, ...spec.presets.map((p) => p.settings)]) {
      const drawn = drawFigure(spec, settings);
      expect(drawn.steps.length).toBeGreaterThan(0);
      for (const step of drawn.steps) {
        expect(step.narration.trim()).not.toBe('');
        expect(typeof step.cursor.mark).toBe('string');
      }
    }
  });

  it('a link at the defaults is empty; each preset and its last step read back exactly', () => {
    const drawn = drawFigure(spec, spec.defaults);
    expect(ownKeys(spec, writeFigureQuery(spec, drawn, 0, new URLSearchParams()))).toEqual([]);
    for (const preset of spec.presets) {
      const p = drawFigure(spec, preset.settings);
      expectRoundTrip(spec, p, p.steps.length - 1);
    }
  });

  it('the code follows the loop: within the first seven steps the marked line or a loop variable changes', () => {
    const { steps } = drawFigure(spec, spec.defaults);
    const shown = steps.slice(0, 7).map((s) => `${s.cursor.mark}|${s.cursor.vars.map(([n, v]) => `${n}=${v}`).join(' ')}`);
    expect(new Set(shown).size).toBeGreaterThan(Math.min(1, steps.length - 1));
  });

  it('every value of every field either draws and reads back from its own link, or is refused by name — never a crash', () => {
    for (const field of spec.fields) {
      const base = spec.defaults[field.key] as number;
      for (const value of candidates(field.min, field.max, base)) {
        const attempt = attemptDraw(spec, { ...spec.defaults, [field.key]: value });
        if (!attempt.ok) {
          expect(attempt.error.trim()).not.toBe('');
          continue;
        }
        const query = expectRoundTrip(spec, attempt.drawn, attempt.drawn.steps.length - 1);
        expect(query.get(spec.prefix + field.param)).toBe(String(value));
      }
    }
  });

  it('every field at its largest at once draws within the budget or is refused with a message', () => {
    const largest = Object.fromEntries(spec.fields.map((f) => [f.key, f.max]));
    const attempt = attemptDraw(spec, { ...spec.defaults, ...largest });
    if (!attempt.ok) expect(attempt.error).toMatch(/\S/);
  });

  it('after Randomize and a shape change, the link drops the values that no longer fit and reads back with no warning', () => {
    const drawn = drawFigure(spec, spec.defaults);
    const randomized = spec.randomize ? spec.randomize(spec.defaults, drawn.example, 7) : spec.defaults;
    const typed = drawFigure(spec, randomized);
    expectRoundTrip(spec, typed, 0);
    // Grow each field in turn by one: value lists sized for the old shapes must not travel on.
    for (const field of spec.fields) {
      const value = (randomized[field.key] as number) + 1;
      if (value > field.max) continue;
      const attempt = attemptDraw(spec, { ...randomized, [field.key]: value });
      if (attempt.ok) expectRoundTrip(spec, attempt.drawn, 0);
    }
  });
});
