import { describe, it, expect } from 'vitest';
import {
  DILATED_CODE_MARKS,
  DILATED_DEFAULTS,
  DILATED_PRESETS,
  MAX_TERMS,
  buildDilatedView,
  cellName,
  clampIndex,
  DILATED_SPEC,
  dilatedFrame,
  nearlyEqual,
  planeIndex,
  productCount,
  seedFigures,
  termsText,
} from '../../lib/viz/dilated-backprop/index.ts';
import { attemptDraw, drawFigure, readFigureQuery, withField, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { planeOf } from '../../lib/viz/grid.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';
import { conv2dBackward, convGeometry } from '../../lib/index.ts';
import { readFileSync } from 'node:fs';

const viewOf = (changes: Partial<ConvSettings> = {}) => buildDilatedView(buildExample({ ...DILATED_DEFAULTS, ...changes }));

/** All marks of a grid as a string picture: one letter per cell (s)ource (t)arget (p)adding (m)uted (a)ctive, '.' none. */
function picture(rows: number, cols: number, markOf: (r: number, c: number) => string | undefined): string[] {
  const letter = { source: 's', target: 't', padding: 'p', muted: 'm', active: 'a' } as Record<string, string>;
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => letter[markOf(r, c) ?? ''] ?? '.').join(''));
}

/** The engine's dX for an example, both methods, as planes. */
function engineDx(changes: Partial<ConvSettings>, method: 'col2im' | 'dilated') {
  const ex = buildExample({ ...DILATED_DEFAULTS, ...changes });
  const { stride, padding, dilation } = ex.settings;
  return conv2dBackward(ex.dy, ex.x, ex.w, { stride, padding, dilation }, { method }).dx;
}

describe('the seed example: X 4×4 = 1..16, W [[1,2],[3,4]], stride 2, dY [[2,1],[3,5]]', () => {
  const view = viewOf();

  it('dilates dY to [[2,0,1],[0,0,0],[3,0,5]] and pads it to 5×5 with one ring of zeros', () => {
    expect(view.dilated[0].grid).toEqual([
      [2, 0, 1],
      [0, 0, 0],
      [3, 0, 5],
    ]);
    expect(view.padded[0].grid).toEqual([
      [0, 0, 0, 0, 0],
      [0, 2, 0, 1, 0],
      [0, 0, 0, 0, 0],
      [0, 3, 0, 5, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('rotates W to [[4,3],[2,1]]', () => {
    expect(view.rotated[0].grid).toEqual([
      [4, 3],
      [2, 1],
    ]);
  });

  it('gives dX = [[2,4,1,2],[6,8,3,4],[3,6,5,10],[9,12,15,20]], the engine’s dx by both methods', () => {
    const expected = [
      [2, 4, 1, 2],
      [6, 8, 3, 4],
      [3, 6, 5, 10],
      [9, 12, 15, 20],
    ];
    expect(view.dx[0].grid).toEqual(expected);
    expect(view.dx[0].grid).toEqual(planeOf(engineDx({}, 'dilated')));
    expect(view.col2im[0].grid).toEqual(planeOf(engineDx({}, 'col2im')));
    expect(view.comparison[0].cells.flat().every((c) => c.equal)).toBe(true);
    expect([view.agreeing, view.total, view.maxDifference]).toEqual([16, 16, 0]);
  });

  it('has dilate, pad, rotate, 16 convolution cells, crop and compare as its 21 steps', () => {
    expect(view.steps.map((s) => s.kind)).toEqual(['dilate', 'pad', 'rotate', ...new Array(16).fill('conv'), 'crop', 'compare']);
    expect(view.steps.every((s) => s.mark in DILATED_CODE_MARKS)).toBe(true);
    expect(view.summary).toBe('dY 2 × 2 → dilated 3 × 3 → padded 5 × 5 → full 4 × 4 → crop → dX 4 × 4');
  });

  it('narrates each stage with its arithmetic', () => {
    const said = view.steps.map((s) => s.narration);
    expect(said[0]).toBe(
      'Dilate: stride 2, so 1 zero goes between neighbouring entries of dY: 2 × 2 → 3 × 3 (rows (OH − 1)·s + 1 = (2 − 1)·2 + 1 = 3, columns (2 − 1)·2 + 1 = 3).',
    );
    expect(said[1]).toBe('Pad: the dilated kernel reaches d·(K − 1) = 1·(2 − 1) = 1 ring of zeros goes around it: 3 × 3 → 5 × 5.');
    expect(said[2]).toBe(
      'Rotate 180°: reverse the rows and the columns of the kernel, so W[0,0] = 1 moves to [1,1] and W[1,1] = 4 to [0,0].',
    );
    expect(said[3]).toBe('Convolution, cell 1 of 16: full[0,0] = 0·4 + 0·3 + 0·2 + 2·1 = 2 → dX[0,0].');
    expect(said[3 + 5]).toBe('Convolution, cell 6 of 16: full[1,1] = 2·4 + 0·3 + 0·2 + 0·1 = 8 → dX[1,1].');
    expect(said[19]).toBe("Crop: the forward padding was 0, so nothing comes off: dX is the whole 4 × 4 result, the input's size.");
    expect(said[20]).toBe("Check: all 16 cells of the dilated method's dX equal col2im's (largest difference 0).");
  });

  it('every convolution step’s value is the engine’s full-convolution cell', () => {
    const full = planeOf(view.trace.fullConv);
    for (const cell of view.cells) expect(cell.value).toBe(full[cell.i][cell.j]);
  });
});

describe('frames of the seed example', () => {
  const view = viewOf();

  it('the dilate step marks the inserted zeros as new (target); later steps mute them', () => {
    expect(picture(3, 3, dilatedFrame(view, 0).dilatedMark(0))).toEqual(['.t.', 'ttt', '.t.']);
    expect(picture(3, 3, dilatedFrame(view, 1).dilatedMark(0))).toEqual(['.m.', 'mmm', '.m.']);
  });

  it('the pad step marks the ring of zeros; the padding flag covers exactly that ring', () => {
    const frame = dilatedFrame(view, 1);
    expect(picture(5, 5, frame.paddedMark(0))).toEqual(['ttttt', 't.m.t', 'tmmmt', 't.m.t', 'ttttt']);
    expect(picture(5, 5, (r, c) => (frame.paddedPadding(r, c) ? 'padding' : undefined))).toEqual([
      'ppppp',
      'p...p',
      'p...p',
      'p...p',
      'ppppp',
    ]);
  });

  it('convolution cell full[1,1] reads the window at rows 1–2, columns 1–2 and fills its output cell', () => {
    const frame = dilatedFrame(view, 3 + 5);
    expect(frame.cell).toMatchObject({ i: 1, j: 1, value: 8, dx: [1, 1] });
    expect(picture(5, 5, frame.paddedMark(0))).toEqual(['.....', '.ss..', '.ssm.', '..m..', '.....']);
    expect(picture(4, 4, frame.fullMark(0))).toEqual(['....', '.a..', '....', '....']);
    expect(picture(4, 4, (r, c) => (frame.fullBlank(0)(r, c) ? 'muted' : undefined))).toEqual(['....', '..mm', 'mmmm', 'mmmm']);
    expect(picture(2, 2, frame.rotatedMark(0))).toEqual(['ss', 'ss']);
    expect(frame.terms).toEqual([
      { f: 0, at: '[1,1]', tap: '[0,0]', gradient: 2, weight: 4, product: 8 },
      { f: 0, at: '[1,2]', tap: '[0,1]', gradient: 0, weight: 3, product: 0 },
      { f: 0, at: '[2,1]', tap: '[1,0]', gradient: 0, weight: 2, product: 0 },
      { f: 0, at: '[2,2]', tap: '[1,1]', gradient: 0, weight: 1, product: 0 },
    ]);
    expect([frame.paddedShown, frame.rotatedShown, frame.fullShown]).toEqual([[0], [0], 0]);
  });

  it('pointing at dY[1,0] = 3 lights up where it lands; pointing at W[0,1] = 2 lights up rotated [1,0]', () => {
    const dy = { grid: 'dy' as const, plane: 0, r: 1, c: 0 };
    const frame = dilatedFrame(view, 1, dy);
    expect(frame.gradientMark(0)(1, 0)).toBe('active');
    expect(frame.dilatedMark(0)(2, 0)).toBe('active');
    expect(frame.paddedMark(0)(3, 1)).toBe('active');
    expect(view.padded[0].grid[3][1]).toBe(3);
    const w = { grid: 'w' as const, plane: 0, r: 0, c: 1 };
    const rot = dilatedFrame(view, 2, w);
    expect(picture(2, 2, rot.rotatedMark(0))).toEqual(['..', 'a.']);
    expect(view.rotated[0].grid[1][0]).toBe(2);
    expect(rot.kernelMark(0)(0, 1)).toBe('active');
  });

  it('clamps the step index', () => {
    expect(clampIndex(view, -3)).toBe(0);
    expect(clampIndex(view, 99)).toBe(20);
    expect(dilatedFrame(view, 99).step.kind).toBe('compare');
  });
});

describe('other geometries agree with the engine (both methods)', () => {
  const cases: [string, Partial<ConvSettings>][] = [
    ['overlapping: x=[1,1,5,5] k=3 s=2', DILATED_PRESETS[1].settings],
    ['non-overlapping: x=[1,1,5,5] k=2 s=2 (last row and column uncovered)', DILATED_PRESETS[2].settings],
    ['padding: x=[1,1,4,4] k=2 s=2 p=1', { padding: 1 }],
    ['dilation: x=[1,1,5,5] k=2 s=1 d=2', { H: 5, W: 5, stride: 1, dilation: 2, dy: null }],
    [
      'stride 1, padding 1, dilation 2: x=[1,1,6,5] k=3×2',
      { H: 6, W: 5, KH: 3, KW: 2, stride: 1, padding: 1, dilation: 2, w: null, dy: null },
    ],
    ['channels and filters: x=[1,2,4,4] k=2 s=1 f=3', { C: 2, F: 3, stride: 1, w: null, dy: null }],
    ['batch 2: x=[2,1,4,4] k=2 s=2', { N: 2, dy: null }],
  ];
  for (const [name, changes] of cases) {
    it(name, () => {
      const view = viewOf(changes);
      const dilated = engineDx(changes, 'dilated');
      const col2im = engineDx(changes, 'col2im');
      expect(view.dx.map((p) => p.grid)).toEqual(view.dx.map((p) => planeOf(dilated, p.a, p.b)));
      expect(view.col2im.map((p) => p.grid)).toEqual(view.col2im.map((p) => planeOf(col2im, p.a, p.b)));
      expect(view.agreeing).toBe(view.total);
      const g = view.geometry;
      const [HP, WP] = view.trace.plan.full;
      expect(view.steps.length).toBe(3 + g.N * g.C * HP * WP + 2);
      expect(view.summary).toContain(`dY ${g.OH} × ${g.OW}`);
    });
  }

  it('the non-overlapping preset pads one extra row and column for the uncovered input', () => {
    const view = viewOf(DILATED_PRESETS[2].settings);
    expect(view.trace.plan.uncovered).toEqual([1, 1]);
    expect(view.steps[1].narration).toBe(
      'Pad: the dilated kernel reaches d·(K − 1) = 1·(2 − 1) = 1 ring of zeros goes around it, plus 1 more row at the bottom and 1 more column on the right for the input rows and columns no forward window reached: 3 × 3 → 6 × 6.',
    );
    expect(view.dx[0].grid[4]).toEqual([0, 0, 0, 0, 0]);
  });

  it('padding 1: the full result is 6×6 and its border is cropped away', () => {
    const view = viewOf({ padding: 1 });
    expect(view.summary).toBe('dY 3 × 3 → dilated 5 × 5 → padded 7 × 7 → full 6 × 6 → crop → dX 4 × 4');
    expect(view.steps[0].narration).toContain('3 × 3 → 5 × 5');
    expect(view.steps[3].narration).toBe(
      'Convolution, cell 1 of 36: full[0,0] = 0·4 + 0·3 + 0·2 + 1·1 = 1 (in the border the crop removes).',
    );
    const crop = view.steps.length - 2;
    expect(view.steps[crop].narration).toBe(
      "Crop: the forward padding was 1, so 1 row and column come off every side: 6 × 6 → dX 4 × 4, the input's size.",
    );
    const frame = dilatedFrame(view, crop);
    expect(picture(6, 6, frame.fullMark(0))).toEqual(['mmmmmm', 'm....m', 'm....m', 'm....m', 'm....m', 'mmmmmm']);
  });

  it('dilation 2 convolves with the kernel’s taps two apart', () => {
    const view = viewOf({ H: 5, W: 5, stride: 1, dilation: 2, dy: null });
    const cell = view.cells[0];
    expect(cell.terms.map((t) => [t.y, t.x])).toEqual([
      [0, 0],
      [0, 2],
      [2, 0],
      [2, 2],
    ]);
    expect(view.steps[1].narration).toContain('d·(K − 1) = 2·(2 − 1) = 2 rings of zeros go around it');
  });

  it('channels and filters: the rotation swaps the axes; a step shows the image’s F gradient planes and the channel’s F kernel planes', () => {
    const view = viewOf({ C: 2, F: 3, stride: 1, w: null, dy: null });
    expect(view.steps[2].narration).toContain('filters and channels swap places: [F, C, KH, KW] = [3, 2, 2, 2] → [2, 3, 2, 2]');
    const HP = view.trace.plan.full[0];
    const second = 3 + HP * HP; // first cell of channel 1
    const frame = dilatedFrame(view, second);
    expect(frame.cell).toMatchObject({ c: 1, i: 0, j: 0 });
    expect(frame.rotatedShown).toEqual([3, 4, 5]);
    expect(frame.paddedShown).toEqual([0, 1, 2]);
    expect(frame.fullShown).toBe(1);
    expect(view.steps[second].narration).toMatch(/^Convolution, cell 17 of 32: full\[1,0,0\] = /);
    expect(view.rotated[4].label).toBe('Rotated W, channel 1, filter 1');
  });
});

describe('helpers', () => {
  it('cellName leaves out axes of size 1', () => {
    const g = convGeometry([2, 3, 4, 4], [2, 2]);
    expect(cellName('dX', g, 1, 2, 0, 3)).toBe('dX[1,2,0,3]');
    expect(cellName('dX', convGeometry([1, 1, 4, 4], [2, 2]), 0, 0, 0, 3)).toBe('dX[0,3]');
  });

  it('termsText lists the nonzero products of a long sum and counts the zeros', () => {
    const view = viewOf({ KH: 3, KW: 4, w: null, stride: 1, dy: null });
    const cell = view.cells[0];
    expect(cell.terms.length).toBe(12);
    expect(termsText(cell)).toBe(`1·${view.rotated[0].grid[2][3]} + 11 zero products`);
  });

  it('productCount: 48 of the seed’s 64 products multiply an added zero; each dY entry meets each tap once', () => {
    expect(productCount(viewOf())).toEqual({ total: 64, wasted: 48 });
    const view = viewOf({ padding: 1 });
    const { total, wasted } = productCount(view);
    expect(total).toBe(36 * 4);
    expect(total - wasted).toBe(9 * 4);
  });

  it('nearlyEqual allows float32 rounding only', () => {
    expect(nearlyEqual(1000, 1000.05)).toBe(true);
    expect(nearlyEqual(1, 1.001)).toBe(false);
  });

  it('planeIndex finds a value’s flat index', () => {
    const view = viewOf({ N: 2, F: 2, stride: 1, dy: null });
    const p = view.gradients[3]; // image 1, filter 1
    expect(planeIndex(p, 2, 1)).toBe(((1 * 2 + 1) * 3 + 2) * 3 + 1);
  });

  it('the code marks name lines of dilatedInputGradient', () => {
    const src = readFileSync(new URL('../../lib/ops/dilated.ts', import.meta.url), 'utf8');
    const snippet = extractSnippet(src, 'lib/ops/dilated.ts', 'dilatedInputGradient', DILATED_CODE_MARKS);
    expect(Object.keys(snippet.marks).sort()).toEqual(['compare', 'conv', 'crop', 'dilate', 'pad', 'rotate']);
  });
});

describe('settings changes (the figure contract)', () => {
  it('invalid settings are refused with the engine’s message', () => {
    expect(attemptDraw(DILATED_SPEC, withField(DILATED_DEFAULTS, 'KH', '6'))).toEqual({
      ok: false,
      error: 'kernel 6×2 does not fit the padded input 4×4',
    });
  });

  it('a valid change builds the new view', () => {
    const drawn = drawFigure(DILATED_SPEC, withField(DILATED_DEFAULTS, 'padding', '1'));
    expect(drawn.view.summary).toContain('full 6 × 6');
  });

  it('too many products to step through are refused with a reason', () => {
    const big = attemptDraw(DILATED_SPEC, {
      ...DILATED_DEFAULTS,
      H: 12,
      W: 12,
      KH: 5,
      KW: 5,
      stride: 1,
      padding: 3,
      C: 3,
      F: 3,
      w: null,
      dy: null,
    });
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.error).toMatch(new RegExp(`more than the ${MAX_TERMS} this figure steps through`));
  });

  it('every step carries a cursor on dilatedInputGradient: the stage and the values it works with', () => {
    const { steps } = drawFigure(DILATED_SPEC, DILATED_DEFAULTS);
    expect(steps.slice(0, 4).map((s) => s.cursor)).toEqual([
      {
        mark: 'dilate',
        vars: [
          ['sh', 2],
          ['sw', 2],
        ],
      },
      {
        mark: 'pad',
        vars: [
          ['top', 1],
          ['left', 1],
          ['bottom', 1],
          ['right', 1],
        ],
      },
      {
        mark: 'rotate',
        vars: [
          ['KH', 2],
          ['KW', 2],
        ],
      },
      {
        mark: 'conv',
        vars: [
          ['n', 0],
          ['c', 0],
          ['i', 0],
          ['j', 0],
        ],
      },
    ]);
    expect(steps.at(-1)!.cursor.mark).toBe('compare');
  });
});

describe('URL state (the figure contract)', () => {
  it('round-trips settings, values and the step', () => {
    const changed = drawFigure(DILATED_SPEC, { ...DILATED_DEFAULTS, padding: 1, dilation: 2, H: 6, W: 6 });
    const query = writeFigureQuery(DILATED_SPEC, changed, 6, new URLSearchParams('other=1'));
    expect(query.get('dl.p')).toBe('1');
    expect(query.get('dl.step')).toBe('7');
    expect(query.get('other')).toBe('1');
    const read = readFigureQuery(DILATED_SPEC, query);
    expect(read.notices).toEqual([]);
    expect(read.index).toBe(6);
    expect(read.drawn.example.settings).toMatchObject({ padding: 1, dilation: 2, H: 6, W: 6 });
    expect(read.drawn.view.geometry.OH).toBe(convGeometry([1, 1, 6, 6], [2, 2], { stride: 2, padding: 1, dilation: 2 }).OH);
    expect(Array.from(read.drawn.example.dy.data)).toEqual(Array.from(changed.example.dy.data));
    expect(Array.from(read.drawn.example.w.data)).toEqual([1, 2, 3, 4]);
  });

  it('the defaults write nothing; every preset reads back as drawn, without notices', () => {
    expect(writeFigureQuery(DILATED_SPEC, drawFigure(DILATED_SPEC, DILATED_DEFAULTS), 0, new URLSearchParams()).toString()).toBe('');
    for (const preset of DILATED_PRESETS) {
      const drawn = drawFigure(DILATED_SPEC, preset.settings);
      const read = readFigureQuery(DILATED_SPEC, writeFigureQuery(DILATED_SPEC, drawn, 0, new URLSearchParams()));
      expect(read.notices).toEqual([]);
      expect(Array.from(read.drawn.example.w.data)).toEqual(Array.from(drawn.example.w.data));
      expect(Array.from(read.drawn.example.dy.data)).toEqual(Array.from(drawn.example.dy.data));
    }
  });

  it('a hand-written link that changes sizes but names no values reads without notices', () => {
    const read = readFigureQuery(DILATED_SPEC, new URLSearchParams('dl.p=1&dl.kh=3&dl.step=12'));
    expect(read.notices).toEqual([]);
    expect(read.index).toBe(11);
    expect(Array.from(read.drawn.example.dy.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // Values the link does give, of the wrong length, still get their notice.
    expect(readFigureQuery(DILATED_SPEC, new URLSearchParams('dl.p=1&dl.g=1,2')).notices).toEqual([
      'Ignored the gradient values from the link: 9 were needed, 2 given.',
    ]);
  });

  it('edited values (decimals as typed) survive the round trip', () => {
    const drawn = drawFigure(DILATED_SPEC, { ...DILATED_DEFAULTS, x: Array.from({ length: 16 }, (_, k) => (k === 5 ? 0.1 : k + 1)) });
    const query = writeFigureQuery(DILATED_SPEC, drawn, 0, new URLSearchParams());
    expect(query.get('dl.x')).toContain(',0.1,');
    expect(readFigureQuery(DILATED_SPEC, query).notices).toEqual([]);
  });

  it('garbage falls back to the defaults with notices, never throwing', () => {
    const read = readFigureQuery(DILATED_SPEC, new URLSearchParams('dl.s=zero&dl.g=oops&dl.step=999'));
    expect(read.notices).toHaveLength(3);
    expect(read.notices[0]).toContain('Ignored stride "zero"');
    expect(read.index).toBe(0);
    expect(read.drawn.view.dx[0].grid).toEqual([
      [2, 4, 1, 2],
      [6, 8, 3, 4],
      [3, 6, 5, 10],
      [9, 12, 15, 20],
    ]);
  });

  it('settings too large to step through fall back to the defaults with a notice', () => {
    const read = readFigureQuery(DILATED_SPEC, new URLSearchParams('dl.h=12&dl.w=12&dl.kh=5&dl.kw=5&dl.s=1&dl.p=3&dl.c=3&dl.f=3'));
    expect(read.notices.at(-1)).toMatch(/could not be drawn/);
    expect(read.drawn.example.settings.H).toBe(4);
  });
});

describe('the lesson’s build-time figures', () => {
  it('render the seed stages and the engine’s dX as TeX', () => {
    const seed = seedFigures();
    expect(seed.gradient).toContain('\\begin{bmatrix} 2 & 0 & 1 \\\\ 0 & 0 & 0 \\\\ 3 & 0 & 5 \\end{bmatrix}');
    expect(seed.kernel).toContain('\\begin{bmatrix} 4 & 3 \\\\ 2 & 1 \\end{bmatrix}');
    expect(seed.result).toContain(
      '\\begin{bmatrix} 2 & 4 & 1 & 2 \\\\ 6 & 8 & 3 & 4 \\\\ 3 & 6 & 5 & 10 \\\\ 9 & 12 & 15 & 20 \\end{bmatrix}',
    );
    expect(seed.check).toContain('9 & 12 & 15 & 20');
    expect(seed.operands).toContain('s = 2');
  });
});
