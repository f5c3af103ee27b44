import { describe, it, expect } from 'vitest';
import {
  DRAW_BUDGET,
  attemptDraw,
  drawFigure,
  readFigureQuery,
  withField,
  withValue,
  writeFigureQuery,
} from '../../lib/viz/figure/index.ts';
import {
  POOL_DEFAULTS,
  POOL_PRESETS,
  POOL_SPEC,
  backwardStart,
  checkText,
  poolCells,
  poolDetail,
  poolFrame,
  poolingLessonFigures,
} from '../../lib/viz/pooling/index.ts';
import type { PoolSettings } from '../../lib/viz/pooling/index.ts';
import { avgPool2dBackward, maxPool2d, maxPool2dBackward } from '../../lib/ops/pool.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor } from '../../lib/tensor.ts';

const AVG: PoolSettings = { ...POOL_DEFAULTS, mode: 1 };
const SEED_X = [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6];

describe('the pooling FigureSpec (lesson 9)', () => {
  it('draws its defaults and every preset in both modes', () => {
    for (const settings of [POOL_DEFAULTS, ...POOL_PRESETS.map((p) => p.settings)]) {
      for (const mode of [0, 1]) expect(attemptDraw(POOL_SPEC, { ...settings, mode }).ok).toBe(true);
    }
  });

  it('the drawn matrix is the engine’s im2col; the outputs maxPool2d’s; dx equals maxPool2dBackward bit for bit', () => {
    const { view } = drawFigure(POOL_SPEC, POOL_DEFAULTS);
    const x = tensor([1, 1, 4, 4], SEED_X);
    expect(view.cols.flat()).toEqual(Array.from(im2col(x, [2, 2], { stride: 2 }).data));
    expect(Array.from(view.y.data)).toEqual(Array.from(maxPool2d(x, [2, 2]).y.data));
    expect(view.matching).toBe(16);
    // dX_col for dy = 1…4: each dy at its winner's row (2, 1, 1, 0).
    expect(view.dcols).toEqual([
      [0, 0, 0, 4],
      [0, 2, 3, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(view.receivers).toEqual([[2], [1], [1], [0]]);
    expect(checkText(view, true)).toBe(
      'dx matches maxPool2dBackward(dy, x, [2, 2], { stride: 2, padding: 0, dilation: 1 }) ✓ (all 16 values, bit for bit).',
    );
  });

  it('steps: im2col, 4 reads + a store per window, then route + add per window, then the check; cursors move', () => {
    const { steps, view } = drawFigure(POOL_SPEC, POOL_DEFAULTS);
    expect(steps.length).toBe(1 + 4 * 5 + 4 * 2 + 1);
    expect(steps[2].narration).toBe('Window 1 of 4 (out[0,0]), position 0,1: x[0,1] = 4 > 1: the new max (row 1).');
    expect(steps[5].narration).toBe('out[0,0] = max(1, 4, 6, 2) = 6, from row 2 (window position 1,0), pixel x[1,0].');
    expect(steps[5].cursor).toEqual({
      mark: 'store',
      vars: [
        ['n', 0],
        ['c', 0],
        ['oh', 0],
        ['ow', 0],
      ],
    });
    const b = backwardStart(steps);
    expect(b).toBe(21);
    expect(steps[b].code).toBe('maxBackward');
    expect(steps[b + 3].narration).toBe('col2im: row 1 of column 1 goes back to dx[0,3]: 0 + 2 = 2.');
    for (let k = 1; k < steps.length - 1; k++) {
      expect(steps[k].cursor.vars.length).toBeGreaterThan(0);
      expect(steps[k].cursor.vars).not.toEqual(steps[k - 1].cursor.vars);
    }
    expect(view.backward.length).toBe(8);
  });

  it('progressive reveal: outputs blank until stored, dX_col until routed, dx until reached; Reset’s first step is blank', () => {
    const { view, steps } = drawFigure(POOL_SPEC, POOL_DEFAULTS);
    const first = poolFrame(view, steps[0]);
    expect(first.outputBlank[0].flat()).toEqual([true, true, true, true]);
    expect(first.dcolsBlank.flat().every(Boolean)).toBe(true);
    expect(first.dxBlank[0].flat().every(Boolean)).toBe(true);
    const afterFirstStore = poolFrame(view, steps[5]);
    expect(afterFirstStore.outputBlank[0].flat()).toEqual([false, true, true, true]);
    expect(afterFirstStore.outputs[0][0][0]).toBe('active');
    expect(afterFirstStore.inputs[0][1][0]).toBe('active');
    const secondAdd = poolFrame(view, steps[24]);
    expect(secondAdd.dxValues[0][0][3]).toBe(2);
    expect(secondAdd.dxBlank[0][0][3]).toBe(false);
    expect(secondAdd.dxBlank[0][2][1]).toBe(true);
    expect(secondAdd.dxMarks[0][0][3]).toBe('active');
    const done = poolFrame(view, steps[steps.length - 1]);
    expect(done.dxBlank[0].flat().some(Boolean)).toBe(false);
  });

  it('pointing highlights the linked cells and describes them, without touching the step', () => {
    const drawn = drawFigure(POOL_SPEC, POOL_DEFAULTS);
    const step = drawn.steps[0];
    const f = poolFrame(drawn.view, step, { grid: 'cols', r: 1, c: 1 });
    expect(f.inputs[0][0][3]).toBe('active');
    expect(f.outputs[0][0][1]).toBe('active');
    expect(poolDetail(drawn.view, { grid: 'cols', r: 1, c: 1 })).toBe(
      'X_col[1][1] = 7, copied from x[0,3] (window 2, position 0,1) — the max of its column.',
    );
    expect(poolDetail(drawn.view, { grid: 'dx0', r: 0, c: 3 })).toBe('dx[0,3] = 2 = 2 (from window 2).');
    expect(poolDetail(drawn.view, { grid: 'out0', r: 0, c: 1 })).toBe('out[0,1] = max(3, 7, 2, 5) = 7.');
  });

  it('average pooling with overlap sums shares and matches avgPool2dBackward', () => {
    const settings = { ...AVG, KH: 3, KW: 3, stride: 1 };
    const { view, steps } = drawFigure(POOL_SPEC, settings);
    const x = tensor([1, 1, 4, 4], SEED_X);
    const dx = avgPool2dBackward(tensor([1, 1, 2, 2], [1, 2, 3, 4]), x.shape, [3, 3], { stride: 1 });
    expect(Array.from(view.reference.data)).toEqual(Array.from(dx.data));
    expect(view.matching).toBe(16);
    expect(steps[steps.length - 1].narration).toContain('Pixels inside several windows collected one share from each (up to 4).');
  });

  it('max with overlapping windows: the 9 wins all four and collects 1 + 2 + 3 + 4', () => {
    const { view } = drawFigure(POOL_SPEC, POOL_PRESETS[0].settings);
    const dx = maxPool2dBackward(tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 4, 4], SEED_X), [3, 3], { stride: 1 });
    expect(dx.data[2 * 4 + 2]).toBe(10);
    expect(view.reference.data[2 * 4 + 2]).toBe(10);
  });

  it('refuses what the engine refuses, and pictures over the draw budget, with a message', () => {
    const pad = attemptDraw(POOL_SPEC, { ...POOL_DEFAULTS, padding: 3 });
    expect(pad.ok).toBe(false);
    if (!pad.ok) expect(pad.error).toMatch(/^maxPool2d: padding 3 leaves the 2×2 window of output \(0, 0\) entirely in the zero border/);
    // Average pooling accepts the same padding: the all-padding window averages to 0.
    expect(attemptDraw(POOL_SPEC, { ...AVG, padding: 1, KH: 1, KW: 1 }).ok).toBe(true);
    const wide = attemptDraw(POOL_SPEC, { ...POOL_DEFAULTS, KH: 9 });
    if (!wide.ok) expect(wide.error).toBe('Window height must be an integer from 1 to 7, got 9');
    const big = { ...POOL_DEFAULTS, H: 12, W: 12, KH: 1, KW: 1, stride: 1, C: 3 };
    const a = attemptDraw(POOL_SPEC, big);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error).toMatch(new RegExp(`draws at most ${DRAW_BUDGET.toLocaleString('en-US')}`));
    // 144 columns per channel: X_col and dX_col 1 × 432 each, and per channel x, dx, out and dy of 12 × 12.
    expect(poolCells(POOL_SPEC.example(big))).toBe(2 * 432 + 3 * 4 * 144);
  });
});

describe('the pooling figure’s links', () => {
  it('a link it wrote after a shape change, an edit and a mode change reloads the same drawing, with no notice', () => {
    let settings: PoolSettings = POOL_DEFAULTS;
    const first = drawFigure(POOL_SPEC, settings);
    const edit = withValue(POOL_SPEC, settings, first.example, 'x', 0, '12');
    if (!edit.ok) throw new Error(edit.error);
    settings = withField(edit.settings, 'mode', '1');
    settings = withField(settings, 'C', '2');
    settings = withField(settings, 'padding', '1');
    const drawn = drawFigure(POOL_SPEC, settings);
    const q = writeFigureQuery(POOL_SPEC, drawn, 5, new URLSearchParams('other=1'));
    // The 16 input values no longer fit 2 channels: dropped from the link, not kept stale.
    expect(q.get('pl.x')).toBeNull();
    expect(q.get('pl.mode')).toBe('1');
    expect(q.get('pl.c')).toBe('2');
    expect(q.get('pl.p')).toBe('1');
    expect(q.get('other')).toBe('1');
    const back = readFigureQuery(POOL_SPEC, q);
    expect(back.notices).toEqual([]);
    expect(back.index).toBe(5);
    expect(back.drawn.view.mode).toBe('avg');
    expect(Array.from(back.drawn.example.x.data)).toEqual(Array.from(drawn.example.x.data));
  });

  it('an edited gradient that fits is written and read back; garbage is ignored with notices', () => {
    const drawn0 = drawFigure(POOL_SPEC, POOL_DEFAULTS);
    const edited = withValue(POOL_SPEC, POOL_DEFAULTS, drawn0.example, 'dy', 3, '-5');
    if (!edited.ok) throw new Error(edited.error);
    const q = writeFigureQuery(POOL_SPEC, drawFigure(POOL_SPEC, edited.settings), 0, new URLSearchParams());
    expect(q.get('pl.g')).toBe('1,2,3,-5');
    expect(readFigureQuery(POOL_SPEC, q).notices).toEqual([]);
    const bad = readFigureQuery(POOL_SPEC, new URLSearchParams('pl.s=zero&pl.mode=7&pl.step=99'));
    expect(bad.notices.length).toBe(3);
    expect(bad.notices[0]).toBe('Ignored pooling "7" from the link: it must be an integer from 0 to 1.');
    expect(bad.notices[1]).toContain('Ignored stride "zero"');
    expect(bad.drawn.view.mode).toBe('max');
  });
});

describe('the lesson’s TeX', () => {
  it('is the default example worked by the engine', () => {
    const f = poolingLessonFigures();
    expect(f.values.max).toEqual([6, 7, 8, 9]);
    expect(f.values.avg).toEqual([3.25, 4.25, 4, 5]);
    expect(f.values.argmax).toEqual([2, 1, 1, 0]);
    expect(f.values.maxDx).toEqual([
      [0, 0, 0, 2],
      [1, 0, 0, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ]);
    expect(f.tex.cols.startsWith('X_\\text{col} = ')).toBe(true);
  });
});
