import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GEMM_DEFAULTS,
  GEMM_PRESETS,
  GEMM_SPEC,
  buildGemmView,
  cellEquation,
  columnLabel,
  gemmFrame,
  gemmPreset,
  gemmViewOf,
  planeIndex,
  presetQuery,
  rowLabel,
} from '../../lib/viz/gemm-view/index.ts';
import type { CellStep, GemmView } from '../../lib/viz/gemm-view/index.ts';
import { GEMM_LOOP_MARKS } from '../../lib/reference/gemm-loops.ts';
import { attemptDraw, readFigureQuery } from '../../lib/viz/figure/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';

/** Y as the engine's conv2d gives it: row f lists y[n][f] of every image side by side. */
function yFromConv2d(view: GemmView): number[][] {
  const { x, w, settings } = view.example;
  const out = conv2d(x, w, null, { stride: settings.stride, padding: settings.padding, dilation: settings.dilation });
  const [N, F, OH, OW] = out.shape;
  const P = OH * OW;
  return Array.from({ length: F }, (_, f) => Array.from({ length: N * P }, (_, q) => out.data[(Math.floor(q / P) * F + f) * P + (q % P)]));
}

const cellSteps = (view: GemmView) => view.steps.filter((s): s is CellStep => s.kind === 'cell');

describe('the default GEMM view (the seed 3×3 input and 2×2 kernel)', () => {
  const view = gemmViewOf(GEMM_DEFAULTS);

  it('multiplies W_row [1, 4] by X_col [4, 4] into Y [1, 4] = 145 191 283 329', () => {
    expect(view.wRow).toEqual([[10, 11, 12, 13]]);
    expect(view.cols).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
    ]);
    expect(view.y).toEqual([[145, 191, 283, 329]]);
    expect(view.maps.map((m) => m.grid)).toEqual([
      [
        [145, 191],
        [283, 329],
      ],
    ]);
  });

  it('has one operands step, per output cell its four terms and its store, and one reshape step', () => {
    const cell = ['term', 'term', 'term', 'term', 'cell'];
    expect(view.steps.map((s) => s.kind)).toEqual(['operands', ...cell, ...cell, ...cell, ...cell, 'reshape']);
    expect(view.steps.slice(0, 7).map((s) => s.cursor.mark)).toEqual(['operands', 'term', 'term', 'term', 'term', 'store', 'term']);
    expect(view.steps[21].cursor).toEqual({
      mark: 'reshape',
      vars: [
        ['n', 0],
        ['f', 0],
      ],
    });
    expect(view.steps[8].cursor.vars).toEqual([
      ['f', 0],
      ['q', 1],
      ['r', 2],
    ]);
    expect(view.steps[8].narration).toBe('Y[0,1]: sum += W_row[0][2]·X_col[2][1] = 12·5 = 60 → 113');
  });

  it('narrates each cell as the slides write it', () => {
    expect(view.steps[15].narration).toBe('out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283 — row 0 of W_row · column 2 of X_col → Y[0,2]');
    expect(cellEquation(view, 0, 0)).toBe('out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = 145');
    expect(view.steps[0].narration).toContain('X_col = im2col(x) is 4×4');
    expect(view.steps[21].narration).toContain('feature map y[0,0], 2×2');
    expect(view.steps[21].narration).toContain('145 191 / 283 329');
  });

  it('labels kernel taps and output positions', () => {
    expect(view.rowLabels).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(view.columnLabels).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(view.filterLabels).toEqual(['f0']);
  });

  it('marks the row, the column, the patch and the cell of a step, and hides the cells still to come', () => {
    const frame = gemmFrame(view, 15);
    expect(frame.cell?.q).toBe(2);
    expect(frame.wRowMark(0, 1)).toBe('source');
    expect([0, 1, 2, 3].map((r) => frame.colsMark(r, 2))).toEqual(['source', 'source', 'source', 'source']);
    expect(frame.colsMark(0, 1)).toBeUndefined();
    expect(frame.yMark(0, 2)).toBe('active');
    expect([0, 1, 2, 3].map((c) => frame.yBlank(0, c))).toEqual([false, false, false, true]);
    const patch = view.inputs[0].grid.flatMap((row, r) => row.map((_, c) => frame.inputMark(0)(r, c) ?? '-'));
    expect(patch).toEqual(['-', '-', '-', 'source', 'source', '-', 'source', 'source', '-']);
    expect(frame.kernelMark(0)(0, 0)).toBe('source');
    expect(frame.mapBlank(0)).toBe(true);
    expect(frame.mapMark(0)(1, 0)).toBe('target');
  });

  it('on a term step, marks the two entries it multiplies and keeps its cell blank', () => {
    const frame = gemmFrame(view, 13);
    expect(frame.wRowMark(0, 2)).toBe('active');
    expect(frame.wRowMark(0, 1)).toBe('source');
    expect(frame.colsMark(2, 2)).toBe('active');
    expect(frame.colsMark(1, 2)).toBe('source');
    expect([0, 1, 2, 3].map((c) => frame.yBlank(0, c))).toEqual([false, false, true, true]);
  });

  it('shows nothing computed on the operands step and everything on the reshape step', () => {
    const first = gemmFrame(view, 0);
    expect(first.yBlank(0, 0)).toBe(true);
    expect(first.cell).toBeNull();
    const last = gemmFrame(view, 999);
    expect(last.index).toBe(21);
    expect(last.yBlank(0, 3)).toBe(false);
    expect(last.mapBlank(0)).toBe(false);
    expect(last.yMark(0, 0)).toBe('source');
    expect(last.mapMark(0)(0, 0)).toBe('active');
  });

  it('traces a pointed-at cell of Y or of a feature map instead of the step', () => {
    const frame = gemmFrame(view, 0, { kind: 'map', map: 0, oh: 0, ow: 1 });
    expect(frame.cell?.q).toBe(1);
    expect(frame.colsMark(0, 1)).toBe('source');
    expect(frame.yMark(0, 1)).toBe('active');
    expect(frame.yBlank(0, 1)).toBe(true);
    expect(gemmFrame(view, 0, { kind: 'y', f: 0, q: 3 }).cell?.cell.sum).toBe(329);
    expect(gemmFrame(view, 0, { kind: 'y', f: 5, q: 3 }).cell).toBeNull();
  });
});

describe('the Pisa slides worked examples', () => {
  it('two channels: 290 382 / 566 658, 8 terms per cell', () => {
    const view = gemmViewOf(gemmPreset('two-channels').settings);
    expect(view.y).toEqual([[290, 382, 566, 658]]);
    expect(view.R).toBe(8);
    expect(view.rowLabels.slice(3, 5)).toEqual(['0:1,1', '1:0,0']);
    expect(cellSteps(view)[0].cell.terms).toHaveLength(8);
  });

  it('two filters: 145 191 / 283 329 and 193 255 / 379 441', () => {
    const view = gemmViewOf(gemmPreset('two-filters').settings);
    expect(view.y).toEqual([
      [145, 191, 283, 329],
      [193, 255, 379, 441],
    ]);
    expect(view.maps.map((m) => m.label)).toEqual(['y[0, 0]', 'y[0, 1]']);
    expect(view.steps[35].narration).toBe(
      'filter 1: out[1,0] = 4·14 + 5·15 + 7·16 + 8·17 = 379 — row 1 of W_row · column 2 of X_col → Y[1,2]',
    );
  });

  it('a batch of two: 37 47 67 77 / 127 137 157 167, images side by side in Y', () => {
    const view = gemmViewOf(gemmPreset('batch-of-two').settings);
    expect(view.y).toEqual([[37, 47, 67, 77, 127, 137, 157, 167]]);
    expect(view.columnLabels[6]).toBe('1:1,0');
    expect(view.steps[35].narration).toContain('image 1: out[1,0] = 13·1 + 14·2 + 16·3 + 17·4 = 157');
    expect(view.steps[42].narration).toContain('row 0 of Y, columns 4…7 (image 1, filter 0) → feature map y[1,0]');
    expect(view.maps[1].grid).toEqual([
      [127, 137],
      [157, 167],
    ]);
  });

  it('each preset survives a trip through the URL, with no notice', () => {
    for (const preset of GEMM_PRESETS) {
      const read = readFigureQuery(GEMM_SPEC, new URLSearchParams(presetQuery(preset)));
      expect(read.notices).toEqual([]);
      expect(read.drawn.view.y).toEqual(gemmViewOf(preset.settings).y);
    }
  });
});

describe('the GEMM view agrees with conv2d', () => {
  const cases: [string, Partial<ConvSettings>][] = [
    ['x=[1,1,5,5] k=3 s=2 p=1', { H: 5, W: 5, KH: 3, KW: 3, stride: 2, padding: 1 }],
    ['x=[2,2,4,5] F=3 k=2×3 d=2', { N: 2, C: 2, H: 4, W: 5, F: 3, KH: 2, KW: 3, dilation: 1, padding: 1 }],
    ['x=[1,3,6,6] F=2 k=3 d=2 p=2', { C: 3, H: 6, W: 6, F: 2, KH: 3, KW: 3, dilation: 2, padding: 2 }],
  ];
  for (const [name, change] of cases) {
    it(name, () => {
      const view = gemmViewOf({ ...GEMM_DEFAULTS, ...change });
      expect(view.y).toEqual(yFromConv2d(view));
      expect(cellSteps(view).map((s) => s.cell.sum)).toEqual(view.y.flat());
      expect(view.maps.flatMap((m) => m.grid.flat())).toEqual(Array.from(view.output.data));
      expect(view.steps).toHaveLength(1 + view.F * view.Q * (view.R + 1) + view.N * view.F);
    });
  }

  it('marks only real pixels of a patch that reaches into the padding', () => {
    const view = gemmViewOf({ ...GEMM_DEFAULTS, padding: 1 });
    // Column 0 is the window at the padded corner: only input (0, 0) lies under its tap (1, 1).
    const frame = gemmFrame(view, 5);
    const marked = view.inputs[0].grid.flatMap((row, r) => row.flatMap((_, c) => (frame.inputMark(0)(r, c) ? [`${r},${c}`] : [])));
    expect(marked).toEqual(['0,0']);
    expect(frame.cell?.cell.terms.map((t) => t.b)).toEqual([0, 0, 0, 1]);
  });

  it('refuses what the engine refuses, with its message, and what is over the draw budget', () => {
    expect(() => gemmViewOf({ ...GEMM_DEFAULTS, KH: 5 })).toThrow(ConvConfigError);
    expect(() => buildGemmView(buildExample({ ...GEMM_DEFAULTS, stride: 0 }))).toThrow(/Stride must be an integer from 1 to 4, got 0/);
    const big = attemptDraw(GEMM_SPEC, { ...GEMM_DEFAULTS, C: 3, H: 12, W: 12, KH: 3, KW: 3 });
    expect(big.ok).toBe(false);
    if (!big.ok)
      expect(big.error).toMatch(
        /^the figure would draw [\d,]+ cells \(the operands, W_row, X_col, Y and the feature maps\); it draws at most 2,048$/,
      );
  });
});

describe('labels, code marks and the URL step', () => {
  it('labels rows as (c:)kh,kw and columns as (n:)oh,ow', () => {
    expect(rowLabel(7, 2, 2, 2)).toBe('1:1,1');
    expect(rowLabel(5, 1, 2, 3)).toBe('1,2');
    expect(columnLabel(5, 2, 2, 2)).toBe('1:0,1');
    expect(columnLabel(5, 1, 2, 3)).toBe('1,2');
  });

  it('finds each code mark on exactly one shown line of convGemmLoops', () => {
    const src = readFileSync(join(import.meta.dirname, '../../lib/reference/gemm-loops.ts'), 'utf8');
    const snippet = extractSnippet(src, 'lib/reference/gemm-loops.ts', 'convGemmLoops', { ...GEMM_LOOP_MARKS }, { hide: '// trace' });
    expect(snippet.marks.term).toBeLessThan(snippet.marks.store);
    expect(snippet.marks.store).toBeLessThan(snippet.marks.reshape);
    expect(snippet.code).not.toContain('observe');
  });
});

describe('planes of the input and the kernel', () => {
  it('maps a plane cell to its flat NCHW / [F, C, KH, KW] index', () => {
    const view = gemmViewOf(gemmPreset('two-channels').settings);
    expect(view.inputs.map((p) => p.label)).toEqual(['x[0, 0]', 'x[0, 1]']);
    expect(planeIndex(view.inputs[1], 2, 1)).toBe(9 + 7);
    expect(view.example.x.data[planeIndex(view.inputs[1], 2, 1)]).toBe(view.inputs[1].grid[2][1]);
    expect(planeIndex(view.kernels[1], 1, 0)).toBe(6);
    expect(view.shapes).toBe('W_row 1×8 × X_col 8×4 = Y 1×4 → y [1, 1, 2, 2]');
  });
});
