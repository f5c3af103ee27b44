import { describe, it, expect } from 'vitest';
import {
  attemptDraw,
  drawFigure,
  readFigureQuery,
  withField,
  withValue,
  writeFigureQuery,
  DRAW_BUDGET,
} from '../../lib/viz/figure/index.ts';
import {
  TRANSPOSE_DEFAULTS,
  TRANSPOSE_PRESETS,
  TRANSPOSE_SPEC,
  outputBlank,
  outputValues,
  transposeCells,
  transposeMarks,
} from '../../lib/viz/transpose/index.ts';
import type { TransposeSettings } from '../../lib/viz/transpose/index.ts';

/** The default stamping with a 2×2 input: 4 stamps onto a 5×5 output, small enough to check by hand. */
const SMALL: TransposeSettings = { ...TRANSPOSE_DEFAULTS, H: 2, W: 2 };

describe('the transposed-convolution FigureSpec (lesson 11)', () => {
  it('draws its defaults and every preset', () => {
    for (const settings of [TRANSPOSE_DEFAULTS, SMALL, ...TRANSPOSE_PRESETS.map((p) => p.settings)]) {
      const a = attemptDraw(TRANSPOSE_SPEC, settings);
      expect(a.ok).toBe(true);
    }
  });

  it('a link it wrote after a shape change and an edit reloads to the same drawing, with no notice', () => {
    let settings: TransposeSettings = SMALL;
    const first = drawFigure(TRANSPOSE_SPEC, settings);
    const edit = withValue(TRANSPOSE_SPEC, settings, first.example, 'x', 2, '7');
    if (!edit.ok) throw new Error(edit.error);
    settings = edit.settings;
    settings = withField(settings, 'H', '3');
    settings = withField(settings, 'C', '2');
    const drawn = drawFigure(TRANSPOSE_SPEC, settings);
    const q = writeFigureQuery(TRANSPOSE_SPEC, drawn, 4, new URLSearchParams('other=1'));
    // The 4 input values no longer fit the 3×2 input: they are dropped from the link, not kept stale.
    expect(q.get('tc.x')).toBeNull();
    // Height 3 is the default again (not written); width 2 is not.
    expect(q.get('tc.h')).toBeNull();
    expect(q.get('tc.w')).toBe('2');
    expect(q.get('other')).toBe('1');
    const back = readFigureQuery(TRANSPOSE_SPEC, q);
    expect(back.notices).toEqual([]);
    expect(back.index).toBe(4);
    expect(back.drawn.view.example.shapes).toEqual(drawn.view.example.shapes);
  });

  it('an edited value that fits the shapes is written and read back', () => {
    const drawn0 = drawFigure(TRANSPOSE_SPEC, SMALL);
    const edited = withValue(TRANSPOSE_SPEC, SMALL, drawn0.example, 'w', 4, '-2');
    if (!edited.ok) throw new Error(edited.error);
    const drawn = drawFigure(TRANSPOSE_SPEC, edited.settings);
    const q = writeFigureQuery(TRANSPOSE_SPEC, drawn, 0, new URLSearchParams());
    expect(q.get('tc.k')).toBe('1,1,1,1,-2,1,1,1,1');
    const back = readFigureQuery(TRANSPOSE_SPEC, q);
    expect(back.notices).toEqual([]);
    expect(Array.from(back.drawn.example.w.data)).toEqual([1, 1, 1, 1, -2, 1, 1, 1, 1]);
  });

  it('refuses, with the draw budget’s reason, settings whose picture is too big', () => {
    const big = { ...TRANSPOSE_DEFAULTS, H: 6, W: 6, KH: 5, KW: 5, stride: 4, dilation: 3, C: 2 };
    const a = attemptDraw(TRANSPOSE_SPEC, big);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error).toMatch(new RegExp(`draws at most ${DRAW_BUDGET.toLocaleString('en-US')}`));
    // OH = (6 − 1)·4 + 3·(5 − 1) + 1 = 33: 36 input + 50 kernel cells, the 33×33 output three times
    // per channel (running sums, zero insertion, gradient) and the overlap map once.
    const example = TRANSPOSE_SPEC.example(big);
    expect(transposeCells(example)).toBe(36 + 50 + 3 * 2 * 33 * 33 + 33 * 33);
  });

  it('marks the step’s pixel and the cells it wrote; pointing highlights only, linked both ways', () => {
    const drawn = drawFigure(TRANSPOSE_SPEC, SMALL);
    const step = drawn.steps[3]; // pixel (0, 1) added: corner (0, 2), a 3×3 stamp
    const m = transposeMarks(drawn.view, step);
    expect(m.inputs[0][0][1]).toBe('active');
    expect(m.outputs[0][0][2]).toBe('target');
    expect(m.outputs[0][0][1]).toBeUndefined();
    // Output (2, 2) is reached by all four stamps of the 2×2 input (the checkerboard's 4).
    const pointed = transposeMarks(drawn.view, drawn.steps[0], { grid: 'output', r: 2, c: 2 });
    expect(pointed.inputs[0].flat()).toEqual(['source', 'source', 'source', 'source']);
    expect(pointed.overlap[2][2]).toBe('active');
    // On the compare step nothing is stamping: the marks are the pointer's alone.
    const compare = drawn.steps[drawn.steps.length - 1];
    expect(
      transposeMarks(drawn.view, compare)
        .outputs[0].flat()
        .every((m) => m === undefined),
    ).toBe(true);
    const fromInput = transposeMarks(drawn.view, compare, { grid: 'input', r: 1, c: 1 });
    expect(fromInput.outputs[0][4][4]).toBe('target');
    expect(fromInput.outputs[0][1][1]).toBeUndefined();
  });

  it('outputs are blank until a stamp reaches them', () => {
    const drawn = drawFigure(TRANSPOSE_SPEC, SMALL);
    expect(outputBlank(drawn.steps[0], 0, 4, 4)).toBe(true);
    expect(outputValues(drawn.steps[0], 0)[4][4]).toBe(0);
    expect(outputBlank(drawn.steps[7], 0, 4, 4)).toBe(false);
  });

  it('randomize changes the values and keeps the shapes', () => {
    const drawn = drawFigure(TRANSPOSE_SPEC, SMALL);
    const next = TRANSPOSE_SPEC.randomize!(SMALL, drawn.example, 5);
    expect(next.x).toHaveLength(4);
    expect(next.w).toHaveLength(9);
    expect(next.x!.every((v) => Number.isInteger(v) && v >= -3 && v <= 3)).toBe(true);
    expect(attemptDraw(TRANSPOSE_SPEC, next).ok).toBe(true);
  });
});
