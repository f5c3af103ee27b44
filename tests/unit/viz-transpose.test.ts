import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildTransposeExample, TRANSPOSE_DEFAULTS, TRANSPOSE_FIELDS } from '../../lib/viz/transpose/example.ts';
import type { TransposeSettings } from '../../lib/viz/transpose/example.ts';
import { buildTransposeView, transposeSteps } from '../../lib/viz/transpose/view.ts';
import { TRANSPOSE_PRESETS } from '../../lib/viz/transpose/presets.ts';
import { conv2dTranspose } from '../../lib/ops/conv2d-transpose.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { tensor } from '../../lib/tensor.ts';

const settingsArb = fc
  .record({
    H: fc.integer({ min: 1, max: 4 }),
    W: fc.integer({ min: 1, max: 4 }),
    KH: fc.integer({ min: 1, max: 4 }),
    KW: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.integer({ min: 0, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    outputPadding: fc.integer({ min: 0, max: 2 }),
    F: fc.integer({ min: 1, max: 2 }),
    C: fc.integer({ min: 1, max: 2 }),
  })
  .map((s): TransposeSettings => ({ ...s, x: null, w: null }));

function tryBuild(s: TransposeSettings) {
  try {
    return buildTransposeExample(s);
  } catch (e) {
    if (e instanceof ConvConfigError) return null;
    throw e;
  }
}

/** The default stamping with a 2×2 input: 4 stamps onto a 5×5 output. */
const SMALL: TransposeSettings = { ...TRANSPOSE_DEFAULTS, H: 2, W: 2 };

describe('transposed-convolution figure', () => {
  it('a 2×2 input through a 3×3 kernel of ones at stride 2 gives a 5×5 output', () => {
    const view = buildTransposeView(buildTransposeExample(SMALL));
    expect(view.trace.y.shape).toEqual([1, 1, 5, 5]);
    expect(view.overlap[2]).toEqual([2, 2, 4, 2, 2]);
  });

  it('the default, a 3×3 input through the same kernel: 7×7, stamps at 0, 2, 4 overlapping on rows 2 and 4', () => {
    const view = buildTransposeView(buildTransposeExample(TRANSPOSE_DEFAULTS));
    expect(view.trace.y.shape).toEqual([1, 1, 7, 7]);
    // Along one axis the counts are 1, 1, 2, 1, 2, 1, 1; a cell's count is the product of its two.
    expect(view.overlap[0]).toEqual([1, 1, 2, 1, 2, 1, 1]);
    expect(view.overlap[2]).toEqual([2, 2, 4, 2, 4, 2, 2]);
    expect(transposeSteps(view)).toHaveLength(19);
  });

  it('replays to the engine: the last stamp leaves conv2dTranspose, the compare step agrees everywhere', () => {
    fc.assert(
      fc.property(settingsArb, (s) => {
        const example = tryBuild(s);
        if (!example) return;
        const view = buildTransposeView(example);
        const steps = transposeSteps(view);
        expect(steps.length).toBe(2 * s.H * s.W + 1);
        const expected = conv2dTranspose(example.x, example.w, null, example.opts);
        const last = steps[steps.length - 2];
        const { OH, OW } = example.shapes;
        for (let c = 0; c < s.C; c++)
          for (let r = 0; r < OH; r++)
            for (let q = 0; q < OW; q++) {
              const v = last.outputs[c][r][q];
              expect(v === null ? 0 : v).toBe(expected.data[(c * OH + r) * OW + q]);
            }
        expect(view.agreeing).toBe(view.agreement.length);
        expect(steps[steps.length - 1].kind).toBe('compare');
      }),
      { numRuns: 60, seed: 12 },
    );
  });

  it('outputs fill in as stamps reach them: blank before, and the counts grow to the overlap map', () => {
    const view = buildTransposeView(buildTransposeExample(SMALL));
    const steps = transposeSteps(view);
    // Step 1 computes pixel (0, 0)'s stamp (nothing written yet), step 2 adds it.
    expect(steps[0].kind).toBe('column');
    expect(steps[0].outputs[0][0][0]).toBeNull();
    expect(steps[0].stampValues?.[0]).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(steps[1].outputs[0][4][4]).toBeNull();
    expect(steps[1].outputs[0][0][0]).toBe(1);
    expect(steps[1].written.length).toBe(9);
    expect(steps[7].outputs[0][4][4]).not.toBeNull();
    expect(steps[7].overlap).toEqual(view.overlap);
    const pixels = ['n=0 i=0 j=0', 'n=0 i=0 j=1', 'n=0 i=1 j=0', 'n=0 i=1 j=1'];
    const corners = ['oh=0 ow=0', 'oh=0 ow=2', 'oh=2 ow=0', 'oh=2 ow=2'];
    expect(steps.map((s) => s.cursor.vars.map(([name, v]) => `${name}=${v}`).join(' '))).toEqual([
      ...pixels.flatMap((p, k) => [p, `${p} ${corners[k]}`]),
      '',
    ]);
    // The marked statement alternates: a tap's value, then the add; the end marks the return.
    expect(steps.map((s) => s.cursor.mark)).toEqual([...pixels.flatMap(() => ['value', 'add']), 'done']);
  });

  it('narrates the arithmetic of a stamp', () => {
    const view = buildTransposeView(buildTransposeExample(TRANSPOSE_PRESETS[2].settings));
    const steps = transposeSteps(view);
    // Seed kernel 10…13, dY = 1…4: pixel (0, 1) = 2 lands at corner (0, 1); y(0, 1) already held 1·11.
    expect(steps[2].narration).toBe('x(0, 1) = 2: its stamp is 2·w, one column of W_rowᵀ·X_row.');
    expect(steps[2].stampValues?.[0]).toEqual([
      [20, 22],
      [24, 26],
    ]);
    expect(steps[3].narration).toBe('The stamp of x(0, 1) lands with its corner at (0, 1); y(0, 1): 11 → 31 (+ 2·10).');
  });

  it('presets: upsample ×2 doubles the size with an even inside, the checkerboard is uneven', () => {
    const up = buildTransposeView(buildTransposeExample(TRANSPOSE_PRESETS[0].settings));
    expect(up.trace.y.shape).toEqual([1, 1, 6, 6]);
    const inside = up.overlap.slice(1, -1).flatMap((row) => row.slice(1, -1));
    expect(new Set(inside)).toEqual(new Set([4]));
    const board = buildTransposeView(buildTransposeExample(TRANSPOSE_PRESETS[1].settings));
    expect(new Set(board.overlap.flat())).toEqual(new Set([1, 2, 4]));
  });

  it('the lesson-7 preset is lesson 7’s input gradient for its default example', () => {
    const view = buildTransposeView(buildTransposeExample(TRANSPOSE_PRESETS[2].settings));
    const x = tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = tensor([1, 1, 2, 2], [10, 11, 12, 13]);
    expect(conv2d(x, w, null).shape).toEqual([1, 1, 2, 2]);
    const { dx } = conv2dBackward(tensor([1, 1, 2, 2], [1, 2, 3, 4]), x, w);
    expect(view.outputs[0].flat()).toEqual(Array.from(dx.data));
    expect(view.gradient?.[0].flat()).toEqual(Array.from(dx.data));
  });

  it('refuses settings outside the figure’s ranges and what the engine refuses, by name', () => {
    for (const field of TRANSPOSE_FIELDS) {
      expect(() => buildTransposeExample({ ...TRANSPOSE_DEFAULTS, [field.key]: field.max + 1 })).toThrow(
        new RegExp(`${field.label.replace(/[()]/g, '\\$&')} must be an integer from ${field.min} to ${field.max}`),
      );
    }
    expect(() => buildTransposeExample({ ...TRANSPOSE_DEFAULTS, outputPadding: 2 })).toThrow(
      /outputPadding must be an integer from 0 to 1/,
    );
    expect(() => buildTransposeExample({ ...TRANSPOSE_DEFAULTS, H: 1, W: 1, KH: 1, KW: 1, padding: 1 })).toThrow(/padding 1 is too large/);
  });

  it('says why lesson 7’s gradient is missing when the output padding reaches the stride', () => {
    const view = buildTransposeView(buildTransposeExample({ ...TRANSPOSE_DEFAULTS, stride: 1, dilation: 2, outputPadding: 1 }));
    expect(view.gradient).toBeNull();
    expect(view.gradientNote).toMatch(/output padding 1 ≥ stride 1/);
    expect(view.agreeing).toBe(view.agreement.length);
  });
});
