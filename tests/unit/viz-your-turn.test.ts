import { describe, it, expect } from 'vitest';
import { checkNumber, checkPick, matchesExpected, parseAnswer, revealAnswer } from '../../lib/viz/figure/your-turn.ts';
import type { NumberQuestion, PickQuestion } from '../../lib/viz/figure/your-turn.ts';
import { drawFigure } from '../../lib/viz/figure/spec.ts';
import { SEED_SETTINGS } from '../../lib/viz/conv-settings.ts';
import { PLAYGROUND_SPEC, playgroundQuestion } from '../../lib/viz/conv-playground/index.ts';
import { PATCH_SPEC, patchQuestion } from '../../lib/viz/patch-extraction/index.ts';
import { SCATTER_SPEC, scatterQuestion } from '../../lib/viz/gradient-scatter/index.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { tensor } from '../../lib/tensor.ts';

const question = (expected: number): NumberQuestion => ({
  kind: 'number',
  prompt: 'What?',
  label: 'v =',
  expected,
  working: `v = ${expected}`,
});

describe('parsing an answer', () => {
  it('reads integers, decimals, the minus sign − and a decimal comma', () => {
    expect(parseAnswer('145')).toBe(145);
    expect(parseAnswer(' -3.5 ')).toBe(-3.5);
    expect(parseAnswer('−12')).toBe(-12);
    expect(parseAnswer('0,25')).toBe(0.25);
    expect(parseAnswer('.5')).toBe(0.5);
    expect(parseAnswer('1e3')).toBe(1000);
  });

  it('refuses what is not one finite number', () => {
    for (const t of ['', '  ', 'abc', '1,000.5', '1.2.3', '12abc', 'Infinity', 'NaN', '0x10', '1e999'])
      expect(parseAnswer(t), t).toBeNull();
  });
});

describe('checking a number at display precision', () => {
  it('accepts the exact value and anything the figure would print the same (3 decimals)', () => {
    expect(matchesExpected(191, 191)).toBe(true);
    expect(matchesExpected(0.333, 1 / 3, '0.333')).toBe(true);
    expect(matchesExpected(0.334, 1 / 3, '0.334')).toBe(false);
  });

  it('accepts a value rounded to fewer decimals only when it rounds to what was typed', () => {
    expect(matchesExpected(0.33, 1 / 3, '0.33')).toBe(true);
    expect(matchesExpected(0.3, 1 / 3, '0.3')).toBe(true);
    expect(matchesExpected(0.4, 1 / 3, '0.4')).toBe(false);
    // An integer typed for a non-integer value is not a rounding the reader announced.
    expect(matchesExpected(0, 0.3, '0')).toBe(false);
    expect(matchesExpected(145, 145.2, '145')).toBe(false);
  });

  it('says right, or wrong with the engine’s value, or asks again for text that is no number', () => {
    expect(checkNumber(question(191), '191')).toEqual({ status: 'right', message: 'Right: v = 191.' });
    expect(checkNumber(question(191), '190')).toEqual({ status: 'wrong', message: 'Not quite: you typed 190, but v = 191.' });
    expect(checkNumber(question(-4), '4').message).toBe('Not quite: you typed 4, but v = -4.');
    expect(checkNumber(question(-4), '−4').status).toBe('right');
    expect(checkNumber(question(191), 'lots').status).toBe('invalid');
    expect(checkNumber(question(191), 'lots').message).not.toContain('191');
    expect(checkNumber(question(191), '').status).toBe('invalid');
  });
});

describe('checking a pick', () => {
  const q: PickQuestion = {
    kind: 'pick',
    prompt: 'Which?',
    expected: { grid: 'input0', r: 1, c: 2 },
    name: (c) => `cell ${c.grid} ${c.r},${c.c}`,
  };
  it('is right only for the same grid, row and column', () => {
    expect(checkPick(q, { grid: 'input0', r: 1, c: 2 })).toEqual({ status: 'right', message: 'Right: it is cell input0 1,2.' });
    expect(checkPick(q, { grid: 'input1', r: 1, c: 2 }).status).toBe('wrong');
    expect(checkPick(q, { grid: 'input0', r: 2, c: 1 })).toEqual({
      status: 'wrong',
      message: 'Not quite: you picked cell input0 2,1; it is cell input0 1,2.',
    });
  });
  it('shows the answer when asked to', () => {
    expect(revealAnswer(q)).toEqual({ status: 'shown', message: 'The answer: cell input0 1,2.' });
    expect(revealAnswer(question(7)).message).toBe('The answer: v = 7.');
  });
});

describe('the questions the figures ask come from the engine', () => {
  it('lesson 1 asks each output cell after the first before its first tap, expecting conv2d’s value', () => {
    const { view, steps } = drawFigure(PLAYGROUND_SPEC, { ...SEED_SETTINGS, H: 4, W: 4, KH: 3, KW: 3, padding: 1 });
    const y = conv2d(
      tensor(
        [1, 1, 4, 4],
        Array.from({ length: 16 }, (_, k) => k + 1),
      ),
      tensor(
        [1, 1, 3, 3],
        Array.from({ length: 9 }, (_, k) => k + 10),
      ),
      null,
      { padding: 1 },
    );
    const asked = steps.map((_, i) => playgroundQuestion(view, steps, i));
    const at = asked.flatMap((q, i) => (q ? [i] : []));
    expect(at).toHaveLength(15);
    for (const i of at) {
      const q = asked[i]!;
      const cell = steps[i].cell;
      expect(q.expected).toBe(y.data[cell]);
      expect(steps[i - 1].kind).toBe('store');
      expect(q.working).toBe(steps[i + 9].narration);
      expect(q.working.endsWith(`= ${y.data[cell]}`)).toBe(true);
    }
    expect(playgroundQuestion(view, steps, 0)).toBeNull();
  });

  it('lesson 2 asks, before each copy, for the padded input cell that im2col reads', () => {
    const { view, steps } = drawFigure(PATCH_SPEC, { ...SEED_SETTINGS, padding: 1, C: 2 });
    let asked = 0;
    steps.forEach((step, i) => {
      const q = patchQuestion(view, steps, i);
      if (step.kind === 'window') return expect(q).toBeNull();
      asked++;
      const { expected } = q!;
      const panel = view.panels[Number(expected.grid.slice(5))];
      // The picked cell holds the value X_col got (0 on the padding).
      expect(panel.values[expected.r][expected.c]).toBe(view.matrix[step.copy!.row][step.copy!.column]);
      expect(checkPick(q!, expected).status).toBe('right');
    });
    expect(asked).toBe(view.rows * view.columns);
    const first = patchQuestion(view, steps, 1)!;
    expect(first.prompt).toContain('X_col[0][0]');
    expect(first.name(first.expected)).toBe('the zero padding at (−1, −1) of channel 0');
    expect(first.name({ grid: 'input1', r: 1, c: 1 })).toBe('x[1,0,0] = 10');
  });

  it('lesson 7 asks each pixel several windows reach for the total conv2dBackward gives', () => {
    const { view, steps, example } = drawFigure(SCATTER_SPEC, SEED_SETTINGS);
    const dx = conv2dBackward(example.dy, example.x, example.w).dx;
    const asked = steps.map((_, i) => scatterQuestion(view, steps, i)).filter((q) => q !== null);
    // 3×3 input, 2×2 windows: the four edge midpoints and the centre are in more than one window.
    expect(asked.map((q) => q.label)).toEqual(['dx[0,1] =', 'dx[1,0] =', 'dx[1,1] =', 'dx[1,2] =', 'dx[2,1] =']);
    for (const q of asked) {
      const [y, x] = q.label.slice(3, 6).split(',').map(Number);
      expect(q.expected).toBe(dx.data[y * 3 + x]);
    }
    expect(asked[2].working).toBe(`dx[1,1] = 13 + 24 + 33 + 40 = ${dx.data[4]}`);
    const none = drawFigure(SCATTER_SPEC, SCATTER_SPEC.presets[1].settings);
    expect(none.steps.some((_, i) => scatterQuestion(none.view, none.steps, i))).toBe(false);
  });
});
