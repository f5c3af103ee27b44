import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  MAX_DRAWN_ENTRIES, POOL_CODE_FUNCTIONS, POOL_CODE_MARKS, POOL_DEFAULTS, POOL_PRESETS, POOL_SEED_INPUT, backwardFormula,
  checkLine, dxValuesAt, dyIndex, focusDetail, forwardFormula, guardPool, initialPoolState, inputIndex, phaseOf, phaseStarts,
  poolDefaultInput, poolFrame, poolSettings, poolView, readPoolQuery, seedPooling, stepAt, writePoolQuery,
} from '../../lib/viz/pooling-view.ts';
import type { PoolCode, PoolMode, PoolView } from '../../lib/viz/pooling-view.ts';
import { applySettings, buildExample, randomizeValues, setNumber, setValue } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from '../../lib/ops/pool.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { reshape, tensor } from '../../lib/tensor.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';

const viewOf = (settings: Partial<ConvSettings> = {}, mode: PoolMode = 'max') =>
  poolView(buildExample(poolSettings({ ...POOL_DEFAULTS, ...settings })), mode);
const last = (view: PoolView) => view.steps.length - 1;

/** dx at step `index`, unpadded, every plane in NCHW order. */
function dxAt(view: PoolView, index: number): number[] {
  const { ph, pw } = view.pool.g;
  const [, , H, W] = view.pool.xShape;
  return view.planes.flatMap((_, k) => dxValuesAt(view, k, index).slice(ph, ph + H).flatMap((row) => row.slice(pw, pw + W)));
}

describe('the default example: a 4×4 input of varied values, 2×2 window, stride 2', () => {
  const max = viewOf();
  const avg = viewOf({}, 'avg');
  const x = tensor([1, 1, 4, 4], POOL_SEED_INPUT);

  it('im2col one channel at a time: [KH·KW, N·C·OH·OW] = 4 × 4, the engine’s im2col of the planes', () => {
    expect(max.cols).toEqual([
      [1, 3, 0, 9],
      [4, 7, 8, 1],
      [6, 2, 3, 4],
      [2, 5, 5, 6],
    ]);
    expect(Array.from(max.trace.cols.data)).toEqual(Array.from(im2col(x, [2, 2], { stride: 2 }).data));
    expect(max.colsLabel).toBe('X_col (4 × 4)');
    expect(max.dcolsLabel).toBe('dX_col (4 × 4)');
    expect(max.rowHeaders).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(max.colHeaders).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(max.summary).toBe('x 4 × 4 → matrix 4 × 4 (window 2 × 2, stride 2) → max of each column → out 2 × 2');
  });

  it('the outputs and the switch are maxPool2d’s and avgPool2d’s', () => {
    const engine = maxPool2d(x, [2, 2]);
    expect(Array.from(max.y.data)).toEqual([6, 7, 8, 9]);
    expect(Array.from(max.y.data)).toEqual(Array.from(engine.y.data));
    expect(Array.from(max.argmax ?? [])).toEqual([2, 1, 1, 0]);
    expect(Array.from(avg.y.data)).toEqual(Array.from(avgPool2d(x, [2, 2]).data));
    expect(Array.from(avg.y.data)).toEqual([3.25, 4.25, 4, 5]);
    expect(avg.argmax).toBeNull();
  });

  it('narrates each window as the reduction of its column', () => {
    expect(forwardFormula(max, 1)).toBe('out[0,1] = max(3, 7, 2, 5) = 7');
    expect(forwardFormula(avg, 1)).toBe('out[0,1] = (3 + 7 + 2 + 5)/4 = 4.25');
    expect(max.steps[2].narration).toBe(
      'Window 2 of 4 (row 0, column 1 of the output) is column 1 of the matrix. out[0,1] = max(3, 7, 2, 5) = 7, found in row 1 (window position 0,1), pixel x[0,3].',
    );
    expect(avg.steps[2].narration).toBe('Window 2 of 4 (row 0, column 1 of the output) is column 1 of the matrix. out[0,1] = (3 + 7 + 2 + 5)/4 = 4.25.');
    expect(max.steps[0].narration).toContain('x (4 × 4) is read as a one-channel image, so each 2 × 2 window becomes a column of a 4 × 4 matrix ([KH·KW, N·C·OH·OW] = [4, 4])');
  });

  it('im2col, one step per window, the backward start, one step per gradient, the check', () => {
    expect(max.steps.map((s) => [s.kind, s.column])).toEqual([
      ['im2col', null], ['forward', 0], ['forward', 1], ['forward', 2], ['forward', 3],
      ['backward-start', null], ['backward', 0], ['backward', 1], ['backward', 2], ['backward', 3], ['done', null],
    ]);
    expect(max.steps.map((s) => s.code)).toEqual(['maxForward', ...new Array(4).fill('maxForward'), ...new Array(6).fill('maxBackward')]);
    expect(avg.steps.map((s) => s.code)).toEqual(['avgForward', ...new Array(4).fill('avgForward'), ...new Array(6).fill('avgBackward')]);
    expect(max.steps[1].marks).toEqual(['reduce']);
    expect(max.steps[6].marks).toEqual(['route', 'fold']);
    expect(avg.steps[6].marks).toEqual(['route', 'spread', 'fold']);
    expect(phaseStarts(max)).toEqual({ forward: 0, backward: 5 });
    expect(phaseOf(max, 4)).toBe('forward');
    expect(phaseOf(max, 5)).toBe('backward');
  });

  it('max backward: dy goes to the winning row only, col2im puts it on the winning pixel', () => {
    expect(max.dcolsGrid).toEqual([
      [0, 0, 0, 4],
      [0, 2, 3, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(max.steps[7].narration).toBe(
      'Gradient 2 of 4: dy[0,1] = 2 goes only to row 1 of column 1, the max of its window; the other 3 rows get 0. col2im: dx[0,3]: 0 + 2 = 2.',
    );
    expect(backwardFormula(max, 1)).toBe('dy[0,1] = 2 → dx[0,3] (the max of its window)');
    expect(dxAt(max, last(max))).toEqual([0, 0, 0, 2, 1, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });

  it('average backward: dy/4 in every row, col2im spreads it over the window', () => {
    expect(avg.dcolsGrid).toEqual([
      [0.25, 0.5, 0.75, 1],
      [0.25, 0.5, 0.75, 1],
      [0.25, 0.5, 0.75, 1],
      [0.25, 0.5, 0.75, 1],
    ]);
    expect(avg.steps[7].narration).toBe(
      'Gradient 2 of 4: dy[0,1] = 2 is shared evenly, 2/4 = 0.5 in every row of column 1. col2im: dx[0,2]: 0 + 0.5 = 0.5; dx[0,3]: 0 + 0.5 = 0.5; dx[1,2]: 0 + 0.5 = 0.5; dx[1,3]: 0 + 0.5 = 0.5.',
    );
    expect(dxAt(avg, last(avg))).toEqual([0.25, 0.25, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1, 1, 0.75, 0.75, 1, 1]);
  });

  it('dx grows step by step and ends equal to the engine’s backward ops, with ✓', () => {
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(dxAt(max, 5)).toEqual(new Array(16).fill(0));
    expect(dxAt(max, 6)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dxAt(max, last(max))).toEqual(Array.from(maxPool2dBackward(dy, x, [2, 2]).data));
    expect(dxAt(avg, last(avg))).toEqual(Array.from(avgPool2dBackward(dy, x.shape, [2, 2]).data));
    expect(checkLine(max, 3)).toBe('At the last step dx is compared with maxPool2dBackward(dy, x, [2, 2], { stride: 2, padding: 0, dilation: 1 }).');
    expect(checkLine(max, last(max))).toBe('dx matches maxPool2dBackward(dy, x, [2, 2], { stride: 2, padding: 0, dilation: 1 }) ✓ (all 16 values, bit for bit).');
    expect(checkLine(avg, last(avg))).toBe('dx matches avgPool2dBackward(dy, x.shape, [2, 2], { stride: 2, padding: 0, dilation: 1 }) ✓ (all 16 values, bit for bit).');
    expect(max.steps[last(max)].narration).toContain('nothing was summed');
  });

  it('the seed worked for the lesson’s text', () => {
    const seed = seedPooling();
    expect(seed.values.max).toEqual([6, 7, 8, 9]);
    expect(seed.values.avg).toEqual([3.25, 4.25, 4, 5]);
    expect(seed.values.argmax).toEqual([2, 1, 1, 0]);
    expect(seed.values.maxDx).toEqual([[0, 0, 0, 2], [1, 0, 0, 0], [0, 3, 4, 0], [0, 0, 0, 0]]);
    expect(seed.tex.cols).toContain('\\begin{bmatrix} 1 & 3 & 0 & 9 \\\\');
    expect(seed.tex.avgCols).toContain('0.25');
    expect(seed.tex.maxDx).toContain('\\operatorname{col2im}');
  });
});

describe('overlapping windows: 3×3, stride 1 over the 4×4 input', () => {
  const preset = POOL_PRESETS.find((p) => p.label === 'Overlapping windows');
  const max = poolView(buildExample(poolSettings(preset!.settings)), 'max');
  const avg = poolView(buildExample(poolSettings(preset!.settings)), 'avg');

  it('the 9 wins all four windows and collects 1 + 2 + 3 + 4 = 10', () => {
    expect(Array.from(max.y.data)).toEqual([9, 9, 9, 9]);
    expect(max.steps[9].narration).toBe(
      'Gradient 4 of 4: dy[1,1] = 4 goes only to row 4 of column 3, the max of its window; the other 8 rows get 0. col2im: dx[2,2]: 6 + 4 = 10 — this pixel won 3 earlier windows too, so the gradients add.',
    );
    expect(dxAt(max, last(max))[10]).toBe(10);
    expect(max.steps[last(max)].narration).toContain('collected the sum of their gradients (up to 4)');
    expect(focusDetail(max, { kind: 'dx', plane: 0, y: 2, x: 2 })).toBe('dx[2,2] = 1 + 2 + 3 + 4 = 10 (from 4 windows: 1, 2, 3, 4).');
    expect(focusDetail(max, { kind: 'x', plane: 0, y: 2, x: 2 })).toBe('x[2,2] = 9 is in 4 windows (1, 2, 3, 4). It is the max of 4 windows (1, 2, 3, 4).');
  });

  it('average: the centre pixels collect a share from each of the four windows', () => {
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const ref = avgPool2dBackward(dy, [1, 1, 4, 4], [3, 3], { stride: 1 });
    expect(dxAt(avg, last(avg))).toEqual(Array.from(ref.data));
    expect(avg.matching).toBe(16);
    expect(avg.steps[last(avg)].narration).toContain('collected one share from each (up to 4)');
  });
});

describe('padding', () => {
  it('max pooling skips the border, and the narration says so', () => {
    const view = viewOf({ padding: 1 });
    expect(view.steps[1].narration).toBe(
      'Window 1 of 9 (row 0, column 0 of the output) is column 0 of the matrix. out[0,0] = max(1) = 1, found in row 3 (window position 1,1), pixel x[0,0]. 3 entries from the padding are skipped: padding never wins.',
    );
    expect(view.steps[1].marks).toEqual(['skip', 'reduce']);
    expect(view.matching).toBe(view.pixels);
  });

  it('average pooling counts the zeros and col2im drops their shares', () => {
    const view = viewOf({ padding: 1 }, 'avg');
    expect(view.steps[1].narration).toContain('out[0,0] = (0 + 0 + 0 + 1)/4 = 0.25. The 3 padding zeros count in the mean.');
    expect(view.steps[11].narration).toBe(
      'Gradient 1 of 9: dy[0,0] = 1 is shared evenly, 1/4 = 0.25 in every row of column 0. col2im: dx[0,0]: 0 + 0.25 = 0.25. 3 shares fall on the padding and are dropped.',
    );
    expect(view.matching).toBe(view.pixels);
  });

  it('a max-pooling window entirely in the padding is refused with the engine’s message', () => {
    const start = initialPoolState();
    const next = guardPool(start, setNumber(start, 'padding', '3'));
    expect(next.error).toBe(
      'maxPool2d: padding 3 leaves the 2×2 window of output (0, 0) entirely in the zero border of x [1, 1, 4, 4]; max pooling needs at least one real pixel per window, use less padding',
    );
    expect(next.example).toBe(start.example);
    expect(next.settings.padding).toBe(3);
  });
});

describe('every geometry ends at the engine’s dx, in both modes', () => {
  it('random sizes, windows, strides, paddings, dilations, channels and values', () => {
    fc.assert(
      fc.property(
        fc.record({
          H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), KH: fc.integer({ min: 1, max: 3 }), KW: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }), padding: fc.integer({ min: 0, max: 1 }), dilation: fc.integer({ min: 1, max: 2 }),
          C: fc.integer({ min: 1, max: 2 }), seed: fc.integer({ min: 1, max: 1000 }),
        }),
        ({ seed, ...s }) => {
          const start = initialPoolState();
          const state = guardPool(start, applySettings(start, { ...POOL_DEFAULTS, ...s }));
          if (state.error !== null) return;
          const random = guardPool(state, randomizeValues(state, seed));
          const ex = random.example;
          const opts = { stride: s.stride, padding: s.padding, dilation: s.dilation };
          for (const mode of ['max', 'avg'] as const) {
            const view = poolView(ex, mode);
            expect(view.matching).toBe(view.pixels);
            const ref = mode === 'max'
              ? maxPool2dBackward(ex.dy, ex.x, [s.KH, s.KW], opts)
              : avgPool2dBackward(ex.dy, ex.x.shape, [s.KH, s.KW], opts);
            expect(dxAt(view, last(view))).toEqual(Array.from(ref.data));
            const y = mode === 'max' ? maxPool2d(ex.x, [s.KH, s.KW], opts).y : avgPool2d(ex.x, [s.KH, s.KW], opts);
            expect(Array.from(view.y.data)).toEqual(Array.from(y.data));
            expect(view.steps.length).toBe(2 * view.columns.length + 3);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('frames: marks, blanks and running values', () => {
  const max = viewOf();
  const avg = viewOf({}, 'avg');

  it('a forward step outlines the window and marks the winner, its column and the output cell', () => {
    const f = poolFrame(max, 2);
    // Window 2 covers padded rows 0–1, columns 2–3; its max 7 is x[0,3].
    expect(f.inputMarks[0](0, 3)).toBe('active');
    expect(f.inputMarks[0](0, 2)).toBe('source');
    expect(f.inputMarks[0](1, 3)).toBe('source');
    expect(f.inputMarks[0](0, 0)).toBeUndefined();
    expect(f.colsMark(1, 1)).toBe('active');
    expect(f.colsMark(0, 1)).toBe('source');
    expect(f.colsMark(0, 0)).toBeUndefined();
    expect(f.outputMarks[0](0, 1)).toBe('active');
    expect([0, 1, 2, 3].map((q) => f.outputBlank[0](Math.floor(q / 2), q % 2))).toEqual([false, false, true, true]);
    expect(f.dcolsBlank(0, 0)).toBe(true);
    expect(f.phase).toBe('forward');
  });

  it('average: every entry of the column is marked as averaged', () => {
    const f = poolFrame(avg, 2);
    expect([0, 1, 2, 3].map((r) => f.colsMark(r, 1))).toEqual(['active', 'active', 'active', 'active']);
    expect(f.inputMarks[0](0, 3)).toBe('source');
  });

  it('a backward step marks the gradient, its route in dX_col and the receiving pixels in dx', () => {
    const f = poolFrame(max, 7);
    expect(f.dyMarks[0](0, 1)).toBe('active');
    expect(f.dyMarks[0](0, 0)).toBe('muted');
    expect(f.dcolsMark(1, 1)).toBe('active');
    expect(f.dcolsMark(0, 1)).toBe('source');
    expect([0, 1, 2, 3].map((q) => f.dcolsBlank(0, q))).toEqual([false, false, true, true]);
    expect(f.dxMarks[0](0, 3)).toBe('active');
    expect(f.dxMarks[0](0, 2)).toBe('target');
    expect(f.dxValues[0]).toEqual([[0, 0, 0, 2], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    const g = poolFrame(avg, 7);
    expect(['0,2', '0,3', '1,2', '1,3'].map((k) => g.dxMarks[0](Number(k[0]), Number(k[2])))).toEqual(['active', 'active', 'active', 'active']);
  });

  it('a focus links a matrix entry to its pixel and its output', () => {
    const f = poolFrame(max, 0, { kind: 'cols', r: 1, q: 1 });
    expect(f.inputMarks[0](0, 3)).toBe('active');
    expect(f.outputMarks[0](0, 1)).toBe('active');
    expect(f.detail).toBe('matrix[1][1] = 7, copied from x[0,3] (window 2, position 0,1) — the max of its column.');
    expect(focusDetail(max, { kind: 'dcols', r: 0, q: 1 })).toBe('dX_col[0][1] = 0 (not the max: 0); it goes to dx[0,2].');
    expect(focusDetail(max, { kind: 'out', plane: 0, oh: 1, ow: 1 })).toBe('out[1,1] = max(9, 1, 4, 6) = 9.');
    expect(focusDetail(avg, { kind: 'dy', plane: 0, oh: 0, ow: 1 })).toBe('dy[0,1] = 2 → 2/4 = 0.5 to each of the 4 pixels of its window.');
    expect(focusDetail(max, { kind: 'dx', plane: 0, y: 0, x: 0 })).toBe('dx[0,0] = 0: this pixel wins no window, so no gradient reaches it.');
    expect(focusDetail(max, null)).toBeNull();
  });

  it('stepAt clamps', () => {
    expect(stepAt(max, -3).kind).toBe('im2col');
    expect(stepAt(max, 99).kind).toBe('done');
  });
});

describe('settings for pooling', () => {
  it('F follows C, so the upstream gradient has pooling’s shape [N, C, OH, OW]', () => {
    const start = initialPoolState();
    const next = guardPool(start, setNumber(start, 'C', '2'));
    expect(next.error).toBeNull();
    expect(next.example.settings.F).toBe(2);
    expect(next.example.dy.shape).toEqual([1, 2, 2, 2]);
    const view = poolView(next.example, 'max');
    expect(view.planes.map((p) => p.suffix)).toEqual([', channel 0', ', channel 1']);
    expect(view.colHeaders).toEqual(['c0 0,0', 'c0 0,1', 'c0 1,0', 'c0 1,1', 'c1 0,0', 'c1 0,1', 'c1 1,0', 'c1 1,1']);
    expect(view.steps[6].narration).toContain('out[1,0,1] = max(');
  });

  it('a new size gets varied default values, the same each time', () => {
    const a = poolDefaultInput(1, 1, 5, 5);
    expect(a).toEqual(poolDefaultInput(1, 1, 5, 5));
    expect(new Set(a).size).toBeGreaterThan(4);
    const start = initialPoolState();
    const next = guardPool(start, setNumber(start, 'H', '5'));
    expect(next.example.x.data.length).toBe(20);
    expect(Array.from(next.example.x.data)).toEqual(poolDefaultInput(1, 1, 5, 4));
  });

  it('uses the settings’ stride, not pooling’s default (the window)', () => {
    const view = viewOf({ KH: 3, KW: 3, stride: 1 });
    expect(view.pool.g.OH).toBe(2);
    expect(view.pool.g.sh).toBe(1);
  });

  it('invalid settings keep the last picture and say why, with the window’s own name', () => {
    const start = initialPoolState();
    expect(guardPool(start, setNumber(start, 'KH', '9')).error).toBe('Window height must be an integer from 1 to 7, got 9');
    const big = guardPool(start, setNumber(start, 'KH', '5'));
    expect(big.error).toBe('maxPool2d: kernel 5×2 does not fit the padded input 4×4 (pooling x of shape [1, 1, 4, 4])');
    expect(big.example).toBe(start.example);
    expect(guardPool(start, setNumber(start, 'stride', '')).error).toBe('Stride must be an integer from 1 to 4, got nothing');
  });

  it('refuses a matrix too large to draw', () => {
    const start = initialPoolState();
    const next = guardPool(start, applySettings(start, { ...POOL_DEFAULTS, H: 12, W: 12, KH: 3, KW: 3, stride: 1, C: 3, F: 3 }));
    expect(next.error).toContain(`more than the ${MAX_DRAWN_ENTRIES} this figure draws`);
    expect(next.example).toBe(start.example);
  });

  it('edits go to the right input pixel and gradient cell', () => {
    const start = guardPool(initialPoolState(), setNumber(initialPoolState(), 'padding', '1'));
    const view = poolView(start.example, 'max');
    expect(inputIndex(view, 0, 0, 0)).toBeNull();
    expect(inputIndex(view, 0, 1, 4)).toBe(3);
    const edited = guardPool(start, setValue(start, 'x', inputIndex(view, 0, 1, 4)!, '-8'));
    expect(edited.example.x.data[3]).toBe(-8);
    expect(dyIndex(view, 0, 2, 1)).toBe(7);
    const dyEdited = guardPool(edited, setValue(edited, 'dy', dyIndex(view, 0, 2, 1), '5'));
    expect(dyEdited.example.dy.data[7]).toBe(5);
  });
});

describe('URL state', () => {
  it('round-trips settings, values, mode and step', () => {
    const start = initialPoolState();
    let state = guardPool(start, setNumber(start, 'padding', '1'));
    state = guardPool(state, setNumber(state, 'C', '2'));
    state = guardPool(state, setValue(state, 'x', 5, '-3'));
    const query = writePoolQuery(state.example.settings, 'avg', 6, new URLSearchParams('other=1'));
    expect(query.get('other')).toBe('1');
    expect(query.get('pl.mode')).toBe('avg');
    expect(query.get('pl.step')).toBe('7');
    expect(query.get('pl.f')).toBeNull();
    const read = readPoolQuery(query);
    expect(read.notices).toEqual([]);
    expect(read.mode).toBe('avg');
    expect(read.index).toBe(6);
    expect(Array.from(read.state.example.x.data)).toEqual(Array.from(state.example.x.data));
    expect(read.state.example.settings.C).toBe(2);
    expect(read.state.example.settings.padding).toBe(1);
  });

  it('the defaults write nothing', () => {
    expect(writePoolQuery(initialPoolState().example.settings, 'max', 0, new URLSearchParams()).toString()).toBe('');
  });

  it('garbage falls back with notices and never throws', () => {
    const read = readPoolQuery(new URLSearchParams('pl.s=zero&pl.mode=median&pl.step=99&pl.x=a,b'));
    expect(read.notices).toEqual([
      'Ignored stride "zero" from the link: it must be an integer from 1 to 4.',
      'Ignored the input values from the link: they must be numbers separated by commas.',
      'Ignored pooling "median" from the link: it must be max or avg.',
      'Ignored step "99" from the link: it must be an integer from 1 to 11.',
    ]);
    expect(read.mode).toBe('max');
    expect(read.index).toBe(0);
    expect(read.state.example.settings.stride).toBe(2);
    const bad = readPoolQuery(new URLSearchParams('pl.p=3'));
    expect(bad.notices[0]).toContain('could not be drawn (maxPool2d: padding 3 leaves');
    expect(bad.state.example.settings.padding).toBe(0);
  });
});

describe('the code panels', () => {
  const source = readFileSync(new URL('../../lib/ops/pool.ts', import.meta.url), 'utf8');
  it('every marked fragment sits on exactly one line of its engine function', () => {
    for (const code of Object.keys(POOL_CODE_MARKS) as PoolCode[]) {
      const snippet = extractSnippet(source, 'lib/ops/pool.ts', POOL_CODE_FUNCTIONS[code], { ...POOL_CODE_MARKS[code] });
      expect(Object.keys(snippet.marks).sort()).toEqual(Object.keys(POOL_CODE_MARKS[code]).sort());
    }
  });

  it('every step’s marks exist in its panel', () => {
    for (const mode of ['max', 'avg'] as const) {
      const view = viewOf({ padding: 1 }, mode);
      for (const step of view.steps) for (const m of step.marks) expect(Object.keys(POOL_CODE_MARKS[step.code])).toContain(m);
    }
  });

  it('reshaping x to [N·C, 1, H, W] is the same buffer', () => {
    const x = tensor([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reshape(x, [2, 1, 2, 2]).data).toBe(x.data);
  });
});
