import { describe, it, expect } from 'vitest';
import {
  PATCH_DEFAULTS,
  PATCH_SPEC,
  alexNetFigures,
  groupDigitsTeX,
  inputIndexOf,
  inputMarkOf,
  matrixMarkOf,
  matrixShownAt,
  matrixTeX,
  matrixBlankOf,
  matrixPaddingOf,
  inputPaddingOf,
  narrate,
  patchView,
  seedProduct,
  stepAt,
} from '../../lib/viz/patch-extraction/index.ts';
import type { PatchView } from '../../lib/viz/patch-extraction/index.ts';
import { attemptDraw, drawFigure, readFigureQuery, withField, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { planeOf } from '../../lib/viz/grid.ts';
import { conv2d, im2col, im2colBytes, convGeometry } from '../../lib/index.ts';

/** The index of the step that starts window `k`, and of the step that copies its last entry. */
const win = (view: PatchView, k: number) => k * (view.rows + 1);
const done = (view: PatchView, k: number) => win(view, k) + view.rows;

const viewOf = (changes: Partial<ConvSettings> = {}) => patchView(buildExample({ ...PATCH_DEFAULTS, ...changes }));

/** All marks of a grid as a string picture: one letter per cell (s)ource (t)arget (p)adding (m)uted (a)ctive, '.' none. */
function picture(rows: number, cols: number, markOf: (r: number, c: number) => string | undefined): string[] {
  const letter = { source: 's', target: 't', padding: 'p', muted: 'm', active: 'a' } as Record<string, string>;
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => letter[markOf(r, c) ?? ''] ?? '.').join(''));
}

describe('patch view of the seed example x=[1,1,3,3] 1..9 k=2', () => {
  const view = viewOf();

  it('has per window one start step and one step per copied entry, marking the window and the copy lines', () => {
    expect(view.steps.map((s) => s.kind).join(' ')).toBe(Array(4).fill('window copy copy copy copy').join(' '));
    expect(view.steps.slice(0, 6).map((s) => s.cursor.mark)).toEqual(['window', 'copy', 'copy', 'copy', 'copy', 'window']);
    expect(view.steps[7].cursor.vars).toEqual([
      ['n', 0],
      ['oh', 0],
      ['ow', 1],
      ['c', 0],
      ['kh', 0],
      ['kw', 1],
    ]);
    expect(view.steps[7].narration).toBe('X_col[1][1] = x[0,2] = 3');
  });

  it('has one window per output position and the final matrix is the engine’s im2col: [1,2,4,5], [2,3,5,6], [4,5,7,8], [5,6,8,9] as columns', () => {
    expect(view.trace.steps.length).toBe(4);
    expect(view.matrix).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
    ]);
    expect(view.matrix).toEqual(planeOf(im2col(buildExample(PATCH_DEFAULTS).x, [2, 2])));
    expect([view.rows, view.columns, view.matrixLabel]).toEqual([4, 4, 'X_col (4 × 4)']);
  });

  it('labels rows by kernel tap and columns by output position', () => {
    expect(view.rowHeaders).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(view.colHeaders).toEqual(['0,0', '0,1', '1,0', '1,1']);
  });

  it('draws one unpadded input panel', () => {
    expect(view.panels).toHaveLength(1);
    expect(view.panels[0].label).toBe('Input');
    expect(view.panels[0].values).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
  });

  it('summarises the sizes with the engine’s byte count', () => {
    expect(im2colBytes(view.geometry)).toBe(64);
    expect(view.summary).toBe('Output 2 × 2 · X_col 4 × 4 = 16 entries · 64 B as float32');
  });

  it('narrates each window with its values and column arithmetic', () => {
    expect(narrate(view, 0)).toBe(
      'Window 1 of 4 (row 0, column 0 of the output): copies 1, 2, 4, 5 into column 0 of X_col (column = oh·OW + ow = 0·2 + 0 = 0).',
    );
    expect(narrate(view, win(view, 2))).toBe(
      'Window 3 of 4 (row 1, column 0 of the output): copies 4, 5, 7, 8 into column 2 of X_col (column = oh·OW + ow = 1·2 + 0 = 2).',
    );
    expect(narrate(view, win(view, 3))).toContain('copies 5, 6, 8, 9 into column 3');
  });

  it('marks the source window in the input at each step', () => {
    expect(picture(3, 3, inputMarkOf(view, 0, 0))).toEqual(['ss.', 'ss.', '...']);
    expect(picture(3, 3, inputMarkOf(view, 0, win(view, 2)))).toEqual(['...', 'ss.', 'ss.']);
    expect(picture(3, 3, inputMarkOf(view, 0, win(view, 3), { panel: 0, r: 0, c: 0 }))).toEqual(['a..', '.ss', '.ss']);
    // copying entry 2 of window 3: the pixel it reads is active
    expect(picture(3, 3, inputMarkOf(view, 0, win(view, 2) + 3))).toEqual(['...', 'ss.', 'as.']);
  });

  it('marks the target column and the entry being copied, leaves later entries muted and empty', () => {
    expect(picture(4, 4, matrixMarkOf(view, done(view, 1)))).toEqual(['.tmm', '.tmm', '.tmm', '.amm']);
    expect(picture(4, 4, matrixMarkOf(view, win(view, 1)))).toEqual(['.tmm', '.tmm', '.tmm', '.tmm']);
    const blank = matrixBlankOf(view, done(view, 1));
    expect([0, 1, 2, 3].map((q) => blank(0, q))).toEqual([false, false, true, true]);
    expect(matrixShownAt(view, win(view, 1) + 2)).toEqual([
      [1, 2, null, null],
      [2, 3, null, null],
      [4, null, null, null],
      [5, null, null, null],
    ]);
    expect(
      matrixShownAt(view, 0)
        .flat()
        .every((v) => v === null),
    ).toBe(true);
    expect(matrixShownAt(view, done(view, 1))).toEqual([
      [1, 2, null, null],
      [2, 3, null, null],
      [4, 5, null, null],
      [5, 6, null, null],
    ]);
    expect(matrixShownAt(view, done(view, 3))).toEqual(view.matrix);
  });

  it('links a focused input cell to every X_col entry that copied it', () => {
    // pixel 5 (centre) is in all four windows, one tap each
    expect(picture(4, 4, matrixMarkOf(view, win(view, 3), { panel: 0, r: 1, c: 1 }))).toEqual(['...a', '..at', '.a.t', 'a..t']);
  });

  it('maps input cells to flat NCHW indices', () => {
    expect(inputIndexOf(view, 0, 0, 0)).toBe(0);
    expect(inputIndexOf(view, 0, 2, 1)).toBe(7);
  });

  it('clamps the step index', () => {
    expect(stepAt(view, -3).column).toBe(0);
    expect(stepAt(view, 99).column).toBe(3);
  });
});

describe('patch view with padding x=[1,1,3,3] k=2 p=1', () => {
  const view = viewOf({ padding: 1 });
  const expected = planeOf(im2col(buildExample(PATCH_DEFAULTS).x, [2, 2], { padding: 1 }));

  it('shows the padded 5×5 input with a zero border and the engine’s 4×16 X_col', () => {
    expect(view.panels[0].label).toBe('Input, padded');
    expect(view.panels[0].values).toEqual([
      [0, 0, 0, 0, 0],
      [0, 1, 2, 3, 0],
      [0, 4, 5, 6, 0],
      [0, 7, 8, 9, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(view.matrix).toEqual(expected);
    expect(view.trace.steps.length).toBe(16);
  });

  it('flags the border as padding and marks the first window as source', () => {
    expect(picture(5, 5, inputMarkOf(view, 0, 0))).toEqual(['ssppp', 'ss..p', 'p...p', 'p...p', 'ppppp']);
    const pad = inputPaddingOf(view, 0);
    expect(picture(5, 5, (r, c) => (pad(r, c) ? 'padding' : undefined))).toEqual(['ppppp', 'p...p', 'p...p', 'p...p', 'ppppp']);
  });

  it('counts the padding zeros in the narration', () => {
    expect(narrate(view, 0)).toBe(
      'Window 1 of 16 (row 0, column 0 of the output): copies 0, 0, 0, 1 — 3 of them padding zeros into column 0 of X_col (column = oh·OW + ow = 0·4 + 0 = 0).',
    );
    expect(narrate(view, win(view, 5))).toContain('copies 1, 2, 4, 5 into column 5');
    expect(narrate(view, 1)).toBe('X_col[0][0] = 0: tap (0,0) falls on the padding at (-1, -1)');
  });

  it('flags filled X_col entries that came from padding, once copied', () => {
    const pad = matrixPaddingOf(view, done(view, 15));
    expect([0, 1, 2, 3].map((r) => pad(r, 0))).toEqual([true, true, true, false]);
    expect(matrixPaddingOf(view, done(view, 0))(0, 1)).toBe(false);
    expect(matrixPaddingOf(view, done(view, 1))(0, 1)).toBe(true);
  });

  it('refuses to edit a padding cell and maps the others past the border', () => {
    expect(inputIndexOf(view, 0, 0, 2)).toBeNull();
    expect(inputIndexOf(view, 0, 1, 1)).toBe(0);
    expect(inputIndexOf(view, 0, 3, 3)).toBe(8);
  });
});

describe('patch view with channels and a batch (small multiples)', () => {
  const view = viewOf({ C: 2, N: 2 });
  const example = buildExample({ ...PATCH_DEFAULTS, C: 2, N: 2 });

  it('draws one panel per image and channel, and X_col side by side per image', () => {
    expect(view.panels.map((p) => p.label)).toEqual([
      'Input image 0, channel 0',
      'Input image 0, channel 1',
      'Input image 1, channel 0',
      'Input image 1, channel 1',
    ]);
    expect(view.panels[3].values).toEqual(planeOf(example.x, 1, 1));
    expect(view.matrix).toEqual(planeOf(im2col(example.x, [2, 2])));
    expect([view.rows, view.columns]).toEqual([8, 8]);
    expect(view.rowHeaders.slice(3, 5)).toEqual(['c0\u00a01,1', 'c1\u00a00,0']);
    expect(view.colHeaders.slice(3, 5)).toEqual(['n0\u00a01,1', 'n1\u00a00,0']);
  });

  it('narrates per channel and with the batch in the column formula', () => {
    expect(narrate(view, win(view, 4))).toBe(
      'Window 5 of 8 (image 1, row 0, column 0 of the output): copies 19, 20, 22, 23 (channel 0) and 28, 29, 31, 32 (channel 1) into column 4 of X_col (column = (n·OH + oh)·OW + ow = (1·2 + 0)·2 + 0 = 4).',
    );
  });

  it('mutes the other image’s panels and marks the window in every channel of the current one', () => {
    expect(picture(3, 3, inputMarkOf(view, 0, win(view, 4)))).toEqual(['mmm', 'mmm', 'mmm']);
    expect(picture(3, 3, inputMarkOf(view, 3, win(view, 4)))).toEqual(['ss.', 'ss.', '...']);
    expect(inputIndexOf(view, 3, 2, 2)).toBe(35);
  });
});

describe('patch view with stride and dilation', () => {
  it('stride 2 on 5×5 with k=3 gives 4 windows', () => {
    const view = viewOf({ H: 5, W: 5, KH: 3, KW: 3, stride: 2 });
    expect(view.trace.steps.length).toBe(4);
    expect(picture(5, 5, inputMarkOf(view, 0, win(view, 1)))).toEqual(['..sss', '..sss', '..sss', '.....', '.....']);
  });

  it('dilation 2 reads every other cell', () => {
    const view = viewOf({ H: 5, W: 5, dilation: 2 });
    const g = convGeometry([1, 1, 5, 5], [2, 2], { dilation: 2 });
    expect(view.trace.steps.length).toBe(g.OH * g.OW);
    expect(picture(5, 5, inputMarkOf(view, 0, 0))).toEqual(['s.s..', '.....', 's.s..', '.....', '.....']);
  });
});

describe('the figure contract: guard and URL under the pe. prefix', () => {
  it('refuses an invalid setting with the engine’s message', () => {
    expect(attemptDraw(PATCH_SPEC, withField(PATCH_DEFAULTS, 'KH', '5'))).toEqual({
      ok: false,
      error: 'kernel 5×2 does not fit the padded input 3×3',
    });
  });

  it('refuses an X_col too large to draw with the draw budget’s message', () => {
    const big = { ...PATCH_DEFAULTS, H: 12, W: 12, KH: 7, KW: 7, padding: 3, C: 3, N: 2 };
    expect(attemptDraw(PATCH_SPEC, big)).toEqual({
      ok: false,
      error: 'the figure would draw 44,280 cells (X_col 147 × 288 and the input); it draws at most 2,048',
    });
  });

  it('round-trips settings and the step, omitting defaults', () => {
    const settings = { ...PATCH_DEFAULTS, padding: 1, stride: 2 };
    const query = writeFigureQuery(PATCH_SPEC, drawFigure(PATCH_SPEC, settings), 2, new URLSearchParams('other=1'));
    expect(query.toString()).toBe('other=1&pe.s=2&pe.p=1&pe.step=3');
    const read = readFigureQuery(PATCH_SPEC, query);
    expect(read.drawn.settings).toEqual(settings);
    expect(read.index).toBe(2);
    expect(read.notices).toEqual([]);
    expect(writeFigureQuery(PATCH_SPEC, drawFigure(PATCH_SPEC, PATCH_DEFAULTS), 0, new URLSearchParams()).toString()).toBe('');
  });

  it('falls back to defaults with notices for garbage, and for a link too large to draw', () => {
    const read = readFigureQuery(PATCH_SPEC, new URLSearchParams('pe.s=banana&pe.step=-4'));
    expect(read.drawn.settings).toEqual(PATCH_DEFAULTS);
    expect(read.index).toBe(0);
    expect(read.notices).toEqual([
      'Ignored stride "banana" from the link: it must be an integer from 1 to 4.',
      'Ignored step "-4" from the link: it must be an integer from 1 to 20.',
    ]);
    const big = readFigureQuery(PATCH_SPEC, new URLSearchParams('pe.h=12&pe.w=12&pe.kh=7&pe.kw=7&pe.p=3&pe.c=3&pe.n=2'));
    expect(big.drawn.settings).toEqual(PATCH_DEFAULTS);
    expect(big.notices[0]).toMatch(/could not be drawn/);
  });
});

describe('lesson figures computed by the engine', () => {
  it('the seed product W_row·X_col equals the convolution 145 191 283 329', () => {
    const { wRow, cols, product, tex } = seedProduct();
    expect(wRow).toEqual([[10, 11, 12, 13]]);
    expect(cols[0]).toEqual([1, 2, 4, 5]);
    const example = buildExample(PATCH_DEFAULTS);
    expect(product).toEqual([Array.from(conv2d(example.x, example.w, null).data)]);
    expect(product).toEqual([[145, 191, 283, 329]]);
    expect(tex).toContain('\\begin{bmatrix} 145 & 191 & 283 & 329 \\end{bmatrix}');
  });

  it('the AlexNet-sized layer: X_col 363×3025, W_row 96×363, 4 392 300 bytes', () => {
    const { sizes, tex } = alexNetFigures();
    expect([sizes.patchLength, sizes.windows, sizes.geometry.OH, sizes.geometry.OW, sizes.filters]).toEqual([363, 3025, 55, 55, 96]);
    expect(sizes.bytes).toBe(363 * 3025 * 4);
    expect(sizes.inputEntries).toBe(227 * 227 * 3);
    expect(tex.patch).toBe('C\\,K_H\\,K_W = 3 \\cdot 11 \\cdot 11 = 363');
    expect(tex.windows).toContain('= 55,');
    expect(tex.windows).toContain('55 \\cdot 55 = 3\\,025');
    expect(tex.product).toContain('_{96 \\times 363}');
    expect(tex.product).toContain('55 \\times 55 \\times 96');
    expect(tex.bytes).toContain('4\\,392\\,300\\ \\text{bytes} \\approx \\text{4.39 MB}');
    expect(tex.bytes).toContain('\\approx 7.1');
  });

  it('formats TeX helpers', () => {
    expect(groupDigitsTeX(4392300)).toBe('4\\,392\\,300');
    expect(groupDigitsTeX(363)).toBe('363');
    expect(
      matrixTeX([
        [1, 2],
        [3, 4],
      ]),
    ).toBe('\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}');
  });
});
