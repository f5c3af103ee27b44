import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  DRAW_BUDGET,
  attemptDraw,
  checkDrawBudget,
  clampIndex,
  cursorText,
  drawFigure,
  readFigureQuery,
  withField,
  withValue,
  writeFigureQuery,
} from '../../lib/viz/figure/index.ts';
import type { FigureSpec, FigureStep } from '../../lib/viz/figure/index.ts';
import { convExample, convFields, convRandomize, convValues } from '../../lib/viz/figure/conv.ts';
import type { ConvExample, ConvSettings } from '../../lib/viz/conv-settings.ts';
import { SEED_SETTINGS } from '../../lib/viz/conv-settings.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

/**
 * A small spec over ConvSettings for the contract's own tests: every field offered, the three
 * value lists, one step per output value, and a draw limit of 40 output cells to exercise the guard.
 */
interface TestView {
  example: ConvExample;
  cells: number;
}
const SPEC: FigureSpec<ConvSettings, ConvExample, TestView, FigureStep> = {
  label: 'Test figure',
  prefix: 't.',
  defaults: SEED_SETTINGS,
  fields: convFields(['N', 'C', 'H', 'W', 'F', 'KH', 'KW', 'stride', 'padding', 'dilation']),
  values: convValues(true),
  presets: [],
  example: convExample,
  build: (example) => {
    const cells = example.dy.data.length;
    if (cells > 40) throw new ConvConfigError('settings', `too many output cells to draw: ${cells}`);
    return { example, cells };
  },
  steps: (view) => Array.from({ length: view.cells }, (_, k) => ({ narration: `cell ${k}`, cursor: { mark: 'store', vars: [['q', k]] } })),
  randomize: convRandomize,
};
const settings = (over: Partial<ConvSettings>): ConvSettings => ({ ...SEED_SETTINGS, ...over });
const query = (text: string) => new URLSearchParams(text);

describe('drawing with the one guard', () => {
  it('draws example, view and steps for valid settings', () => {
    const drawn = drawFigure(SPEC, SEED_SETTINGS);
    expect(drawn.view.cells).toBe(4);
    expect(drawn.steps.map((s) => s.narration)).toEqual(['cell 0', 'cell 1', 'cell 2', 'cell 3']);
  });

  it('turns the engine’s refusal into its message (a kernel larger than the padded input)', () => {
    const attempt = attemptDraw(SPEC, settings({ KH: 5 }));
    expect(attempt).toEqual({ ok: false, error: 'kernel 5×2 does not fit the padded input 3×3' });
  });

  it('turns the figure’s refusal into its message, and rethrows anything that is not a ConvConfigError', () => {
    expect(attemptDraw(SPEC, settings({ H: 12, W: 12 }))).toEqual({ ok: false, error: 'too many output cells to draw: 121' });
    const broken = {
      ...SPEC,
      build: () => {
        throw new TypeError('bug');
      },
    };
    expect(() => attemptDraw(broken, SEED_SETTINGS)).toThrow(TypeError);
  });

  it('has one draw budget; over it, the message names the count and the limit', () => {
    expect(DRAW_BUDGET).toBe(2048);
    expect(() => checkDrawBudget(DRAW_BUDGET, 'X_col')).not.toThrow();
    expectConfigError(
      () => checkDrawBudget(2304, 'X_col 36 × 64'),
      'settings',
      'the figure would draw 2,304 cells (X_col 36 × 64); it draws at most 2,048',
    );
  });

  it('clamps step indices and prints a cursor’s loop variables', () => {
    expect([clampIndex(-3, 4), clampIndex(2.7, 4), clampIndex(9, 4), clampIndex(Number.NaN, 4), clampIndex(1, 0)]).toEqual([0, 2, 3, 0, 0]);
    expect(
      cursorText({
        mark: 'multiply',
        vars: [
          ['n', 0],
          ['c', 1],
          ['oh', 2],
          ['ow', 0],
        ],
      }),
    ).toBe('n = 0  c = 1  oh = 2  ow = 0');
  });
});

describe('edits', () => {
  it('a field edit keeps the typed text; empty text is NaN, which the engine refuses by name', () => {
    const next = withField(SEED_SETTINGS, 'stride', '');
    expect(Number.isNaN(next.stride)).toBe(true);
    expect(attemptDraw(SPEC, next)).toEqual({ ok: false, error: 'Stride must be an integer from 1 to 4, got nothing' });
  });

  it('a value edit starts from the example’s values and refuses text that is not a number', () => {
    const drawn = drawFigure(SPEC, SEED_SETTINGS);
    const edit = withValue(SPEC, drawn.settings, drawn.example, 'x', 4, '-2.5');
    expect(edit).toEqual({ ok: true, settings: { ...SEED_SETTINGS, x: [1, 2, 3, 4, -2.5, 6, 7, 8, 9] } });
    expect(withValue(SPEC, drawn.settings, drawn.example, 'w', 0, 'abc')).toEqual({
      ok: false,
      error: 'kernel value must be a finite number, got "abc"',
    });
    expect(withValue(SPEC, drawn.settings, drawn.example, 'w', 4, '1')).toEqual({
      ok: false,
      error: 'kernel values index must be in [0, 3], got 4',
    });
  });
});

describe('the URL', () => {
  it('writes only what differs from the defaults, under the prefix, and leaves other keys alone', () => {
    const drawn = drawFigure(SPEC, settings({ H: 4, padding: 1 }));
    const q = writeFigureQuery(SPEC, drawn, 2, query('other=1&t.w=3'));
    expect(q.toString()).toBe('other=1&t.h=4&t.p=1&t.step=3');
    expect(writeFigureQuery(SPEC, drawFigure(SPEC, SEED_SETTINGS), 0, query('t.h=4&t.step=2')).toString()).toBe('');
  });

  it('drops values that no longer fit the shapes (stale input after a channel change)', () => {
    const edited = { ...SEED_SETTINGS, x: [9, 8, 7, 6, 5, 4, 3, 2, 1] };
    expect(writeFigureQuery(SPEC, drawFigure(SPEC, edited), 0, query('')).get('t.x')).toBe('9,8,7,6,5,4,3,2,1');
    const reshaped = drawFigure(SPEC, { ...edited, C: 2 });
    const q = writeFigureQuery(SPEC, reshaped, 0, query(''));
    expect(q.get('t.x')).toBeNull();
    expect(q.get('t.c')).toBe('2');
    expect(readFigureQuery(SPEC, q).notices).toEqual([]);
  });

  it('restores what it wrote with no notice, for any sequence of edits, randomizations and steps', () => {
    const edit = fc.oneof(
      fc.record({
        key: fc.constantFrom('N', 'C', 'H', 'W', 'F', 'KH', 'KW', 'stride', 'padding', 'dilation' as const),
        value: fc.integer({ min: 0, max: 6 }),
      }),
      fc.record({ seed: fc.integer({ min: 1, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 8 }), fc.nat(50), (edits, step) => {
        let drawn = drawFigure(SPEC, SEED_SETTINGS);
        for (const e of edits) {
          const next =
            'seed' in e ? convRandomize(drawn.settings, drawn.example, e.seed) : withField(drawn.settings, e.key, String(e.value));
          const attempt = attemptDraw(SPEC, next);
          if (attempt.ok) drawn = attempt.drawn;
        }
        const index = clampIndex(step, drawn.steps.length);
        const restored = readFigureQuery(SPEC, writeFigureQuery(SPEC, drawn, index, query('')));
        expect(restored.notices).toEqual([]);
        expect(restored.index).toBe(index);
        expect(Array.from(restored.drawn.example.x.data)).toEqual(Array.from(drawn.example.x.data));
        expect(Array.from(restored.drawn.example.w.data)).toEqual(Array.from(drawn.example.w.data));
        expect(Array.from(restored.drawn.example.dy.data)).toEqual(Array.from(drawn.example.dy.data));
        expect(restored.drawn.example.geometry).toEqual(drawn.example.geometry);
      }),
      { numRuns: 150 },
    );
  });

  it('with defaults that carry values, a link reproduces what is drawn when those values would fit but are not used', () => {
    const seeded: typeof SPEC = { ...SPEC, defaults: { ...SEED_SETTINGS, H: 4, W: 4, w: [1, 2, 3, 4] } };
    // Default values: nothing written.
    expect(writeFigureQuery(seeded, drawFigure(seeded, seeded.defaults), 0, query('')).toString()).toBe('');
    // A preset with no values of its own draws the counting kernel; the link must say so.
    const preset = drawFigure(seeded, { ...seeded.defaults, w: null, H: 5 });
    const q = writeFigureQuery(seeded, preset, 0, query(''));
    expect(q.get('t.k')).toBe('10,11,12,13');
    const back = readFigureQuery(seeded, q);
    expect(back.notices).toEqual([]);
    expect(Array.from(back.drawn.example.w.data)).toEqual([10, 11, 12, 13]);
    // Typed values that no longer fit the kernel: the drawn (counting) ones are written.
    const stale = drawFigure(seeded, { ...seeded.defaults, KH: 3, KW: 3, w: [9, 9, 9, 9, 9, 9, 9, 9, 9] });
    const q2 = writeFigureQuery(seeded, drawFigure(seeded, { ...stale.settings, KH: 2, KW: 2, w: stale.settings.w }), 0, query(''));
    expect(readFigureQuery(seeded, q2).drawn.example.w.data).toEqual(new Float32Array([10, 11, 12, 13]));
  });

  it('ignores what it cannot read with a notice each, and falls back to the defaults for settings it cannot draw', () => {
    const bad = readFigureQuery(SPEC, query('t.s=banana&t.step=%F0%9F%A6%84&t.k=1,x&t.x=1,2'));
    expect(bad.notices).toEqual([
      'Ignored stride "banana" from the link: it must be an integer from 1 to 4.',
      'Ignored the input values from the link: 9 were needed, 2 given.',
      'Ignored the kernel values from the link: they must be numbers separated by commas.',
      'Ignored step "🦄" from the link: it must be an integer from 1 to 4.',
    ]);
    expect(bad.drawn.settings).toEqual(SEED_SETTINGS);
    const big = readFigureQuery(SPEC, query('t.h=12&t.w=12&t.step=3'));
    expect(big.notices).toEqual([
      "The link's settings could not be drawn (too many output cells to draw: 121); showing the defaults instead.",
    ]);
    expect(big.index).toBe(2);
  });
});
