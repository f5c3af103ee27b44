import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  INDEX_DEFAULTS,
  INDEX_SPEC,
  buildIndexView,
  cellMark,
  channelMark,
  currentProbe,
  entryMark,
  linkOf,
  pixelEditTarget,
  pixelMark,
  probeFits,
} from '../../lib/viz/index-matrices/index.ts';
import type { IndexView } from '../../lib/viz/index-matrices/index.ts';
import { GATHER_LOOP_MARKS } from '../../lib/reference/gather-loops.ts';
import { attemptDraw, drawFigure, readFigureQuery, withField, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { buildExample, initialState, setValue } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { im2col, im2colIndices } from '../../lib/index.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';

const viewOf = (overrides: Partial<ConvSettings> = {}): IndexView => buildIndexView(buildExample({ ...INDEX_DEFAULTS, ...overrides }));

describe("the blog post's example: x=[1,3,4,4] (values 1…48) k=2 s=1 p=0", () => {
  const view = viewOf();

  it('i and j are 12×9, d is 12×1, X_col is 12×9', () => {
    expect([view.rows, view.columns, view.width]).toEqual([12, 9, 9]);
    expect(view.i).toHaveLength(12);
    expect(view.i[0]).toHaveLength(9);
    expect(view.d).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2].map((c) => [c]));
    expect(view.summary).toBe('x [1, 3, 4, 4] · 3 × 3 windows · i, j: 12 × 9 · d: 12 × 1 · X_col: 12 × 9');
    expect(view.formula).toBe('X_col[r][p] = x[0, d[r], i[r][p], j[r][p]]');
  });

  it('i is the kernel row offset plus the window row, j the kernel column offset plus the window column (the numbers the lesson quotes)', () => {
    expect(view.i[0]).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(view.i[2]).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(view.j[0]).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(view.j[1]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it("X_col matches the post's matrix: first row 1 2 3 5 6 7 9 10 11, last row 38 39 40 42 43 44 46 47 48", () => {
    expect(view.cols[0]).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11]);
    expect(view.cols[5]).toEqual([18, 19, 20, 22, 23, 24, 26, 27, 28]);
    expect(view.cols[11]).toEqual([38, 39, 40, 42, 43, 44, 46, 47, 48]);
    expect(view.agrees).toBe(true);
    expect(view.agreement).toContain('all 108 entries');
  });

  it('the input planes are the three 4×4 channels, unpadded', () => {
    expect(view.planes.map((p) => p.label)).toEqual(['x[0, 0]', 'x[0, 1]', 'x[0, 2]']);
    expect(view.planes[1].values[1]).toEqual([21, 22, 23, 24]);
  });

  it('hovering i[5][3] links x[0, 1, 1, 1] = 22 and X_col[5][3]', () => {
    const link = linkOf(view, { kind: 'entry', from: 'i', r: 5, p: 3 });
    expect(link.narration).toBe('i[5][3] = 1, j[5][3] = 1, d[5] = 1 → x[0, 1, 1, 1] = 22 fills X_col[5][3]');
    expect([...link.pixels]).toEqual(['0,1,1,1']);
    expect([...link.targets]).toEqual(['5,3']);
    expect(pixelMark(view, link, view.planes[1], 1, 1)).toBe('source');
    expect(pixelMark(view, link, view.planes[0], 1, 1)).toBeUndefined();
    expect(cellMark(link, 5, 3)).toBe('target');
    expect(entryMark(link, 5, 3)).toBe('active');
    expect(channelMark(link, 5)).toBe('active');
    expect(channelMark(link, 4)).toBeUndefined();
  });

  it('hovering an input pixel lights every cell of X_col that copies it', () => {
    const link = linkOf(view, { kind: 'pixel', n: 0, c: 1, y: 1, x: 1 });
    expect(link.narration).toBe('x[0, 1, 1, 1] = 22 fills 4 cells of X_col: X_col[4][4], X_col[5][3], X_col[6][1], X_col[7][0]');
    for (const key of link.targets) {
      const [r, q] = key.split(',').map(Number);
      expect(view.cols[r][q]).toBe(22);
    }
    const corner = linkOf(view, { kind: 'pixel', n: 0, c: 0, y: 0, x: 0 });
    expect(corner.narration).toBe('x[0, 0, 0, 0] = 1 fills 1 cell of X_col: X_col[0][0]');
  });

  it('hovering d[5] lights the whole row 5 of X_col and the channel-1 pixels it reads', () => {
    const link = linkOf(view, { kind: 'channel', r: 5 });
    expect(link.targets.size).toBe(9);
    expect([...link.pixels].every((k) => k.startsWith('0,1,'))).toBe(true);
    expect(link.narration).toContain('d[5] = 1');
  });

  it('the steps replay gatherLoops row by row: the row’s channel, then one step per entry', () => {
    expect(view.steps).toHaveLength(12 * 10);
    expect(view.steps.slice(0, 3).map((s) => s.cursor.mark)).toEqual(['row', 'gather', 'gather']);
    expect(view.steps[0].probe).toEqual({ kind: 'channel', r: 0 });
    expect(view.steps[0].cursor.vars).toEqual([
      ['r', 0],
      ['c', 0],
    ]);
    expect(view.steps[54].probe).toEqual({ kind: 'cell', r: 5, q: 3 });
    expect(view.steps[54].cursor.vars).toEqual([
      ['r', 5],
      ['n', 0],
      ['p', 3],
    ]);
    expect(view.steps[54].narration).toBe('i[5][3] = 1, j[5][3] = 1, d[5] = 1 → x[0, 1, 1, 1] = 22 fills X_col[5][3]');
    expect(view.steps.at(-1)!.probe).toEqual({ kind: 'cell', r: 11, q: 8 });
  });

  it('pointing highlights while the probe fits the view, and never changes the step', () => {
    const probe = { kind: 'entry', from: 'j', r: 2, p: 2 } as const;
    expect(currentProbe(view, view.steps[4], probe)).toEqual(probe);
    expect(currentProbe(view, view.steps[5], null)).toEqual(view.steps[5].probe);
    expect(probeFits(view, { kind: 'cell', r: 12, q: 0 })).toBe(false);
    expect(currentProbe(view, view.steps[0], { kind: 'pixel', n: 0, c: 3, y: 0, x: 0 })).toEqual(view.steps[0].probe);
  });
});

describe('every linked entry addresses the pixel the engine copies', () => {
  for (const overrides of [
    {},
    { padding: 1 },
    { stride: 2, padding: 1 },
    { dilation: 2, H: 5, W: 6 },
    { N: 2, C: 2, KH: 3, KW: 1, padding: 2, stride: 2 },
  ] as Partial<ConvSettings>[]) {
    it(`settings ${JSON.stringify(overrides)}`, () => {
      const view = viewOf(overrides);
      const g = view.geometry;
      const idx = im2colIndices(view.x.shape, [g.KH, g.KW], { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] });
      const ref = im2col(view.x, [g.KH, g.KW], { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] });
      expect(view.agrees).toBe(true);
      for (let r = 0; r < view.rows; r++) {
        for (let q = 0; q < view.width; q++) {
          const link = linkOf(view, { kind: 'cell', r, q });
          const p = q % view.columns;
          const n = Math.floor(q / view.columns);
          expect([...link.pixels]).toEqual([`${n},${idx.d[r]},${idx.i[r * view.columns + p]},${idx.j[r * view.columns + p]}`]);
          const plane = view.planes[n * g.C + idx.d[r]];
          expect(plane.values[idx.i[r * view.columns + p]][idx.j[r * view.columns + p]]).toBe(ref.data[r * view.width + q]);
          expect(view.cols[r][q]).toBe(ref.data[r * view.width + q]);
        }
      }
    });
  }
});

describe('padding, batches and edits', () => {
  it('with padding 1 the planes are padded and the narration names both coordinates', () => {
    const view = viewOf({ padding: 1 });
    expect(view.planes[0].label).toBe('x_padded[0, 0]');
    expect(view.planes[0].values).toHaveLength(6);
    expect(view.summary).toContain('padded to 6 × 6');
    const corner = linkOf(view, { kind: 'cell', r: 0, q: 0 });
    expect(corner.narration).toBe('i[0][0] = 0, j[0][0] = 0, d[0] = 0 → x_padded[0, 0, 0, 0] = 0 (padding) fills X_col[0][0]');
    expect(pixelMark(view, null, view.planes[0], 0, 0)).toBe('padding');
    expect(pixelMark(view, null, view.planes[0], 1, 1)).toBeUndefined();
    const inner = linkOf(view, { kind: 'entry', from: 'i', r: 3, p: 0 });
    expect(inner.narration).toBe('i[3][0] = 1, j[3][0] = 1, d[3] = 0 → x_padded[0, 0, 1, 1] = x[0, 0, 0, 0] = 1 fills X_col[3][0]');
  });

  it('an i entry with two images fills one cell per image', () => {
    const view = viewOf({ N: 2 });
    const link = linkOf(view, { kind: 'entry', from: 'i', r: 5, p: 3 });
    expect(link.narration).toBe(
      'i[5][3] = 1, j[5][3] = 1, d[5] = 1 → x[0, 1, 1, 1] = 22 fills X_col[5][3]; x[1, 1, 1, 1] = 70 fills X_col[5][12]',
    );
    expect([...link.targets]).toEqual(['5,3', '5,12']);
    expect(view.formula).toBe('X_col[r][q] = x[n, d[r], i[r][p], j[r][p]] with q = n·9 + p');
  });

  it('with stride 2 some pixels are never read', () => {
    const view = viewOf({ H: 5, W: 5, stride: 2 });
    // Windows start at rows 0 and 2 and span 2 rows: row 4 is never read, row 3 once per column window.
    expect(linkOf(view, { kind: 'pixel', n: 0, c: 0, y: 4, x: 4 }).targets.size).toBe(0);
    expect(linkOf(view, { kind: 'pixel', n: 0, c: 0, y: 3, x: 3 }).targets.size).toBe(1);
    const far = buildIndexView(buildExample({ ...INDEX_DEFAULTS, H: 4, W: 4, KH: 1, KW: 1, stride: 3 }));
    expect(linkOf(far, { kind: 'pixel', n: 0, c: 0, y: 1, x: 1 }).narration).toBe(
      'x[0, 0, 1, 1] = 6 fills no cell of X_col: no window reaches it',
    );
  });

  it('long lists of copies are cut after eight', () => {
    const view = viewOf({ C: 1, H: 6, W: 6, KH: 3, KW: 3 });
    const link = linkOf(view, { kind: 'pixel', n: 0, c: 0, y: 2, x: 2 });
    expect(link.targets.size).toBe(9);
    expect(link.narration).toMatch(/and 1 more$/);
  });

  it("editing a pixel maps padded coordinates to the input's flat index; padding cannot be edited", () => {
    const state = initialState({ ...INDEX_DEFAULTS, padding: 1 });
    const view = buildIndexView(state.example);
    const target = pixelEditTarget(view, view.planes[1], 2, 2);
    expect(target).toEqual({ index: 16 + 5 });
    if (!('index' in target)) throw new Error('expected an index');
    const edited = buildIndexView(setValue(state, 'x', target.index, '-7').example);
    expect(edited.planes[1].values[2][2]).toBe(-7);
    expect(linkOf(edited, { kind: 'pixel', n: 0, c: 1, y: 2, x: 2 }).narration).toMatch(
      /^x_padded\[0, 1, 2, 2\] = x\[0, 1, 1, 1\] = -7 fills/,
    );
    expect(pixelEditTarget(view, view.planes[0], 0, 3)).toHaveProperty('note');
  });
});

describe('settings, limits and the URL (the figure contract)', () => {
  it('a setting the figure cannot draw is refused with the draw budget’s message', () => {
    expect(attemptDraw(INDEX_SPEC, { ...INDEX_DEFAULTS, H: 12, W: 12, KH: 3, KW: 3 })).toEqual({
      // X_col 27 × 100 = 2,700, i and j 27 × 100 each = 5,400, d 27, the input 3 × 12 × 12 = 432.
      ok: false,
      error: 'the figure would draw 8,559 cells (X_col 27 × 100, i and j 27 × 100, d and the input); it draws at most 2,048',
    });
  });

  it("an engine refusal passes through with the engine's message", () => {
    const bad = attemptDraw(INDEX_SPEC, withField(INDEX_DEFAULTS, 'KH', '5'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/kernel/);
  });

  it('settings round-trip through the ix. query, with the step', () => {
    const settings = { ...INDEX_DEFAULTS, stride: 2, padding: 1 };
    const query = writeFigureQuery(INDEX_SPEC, drawFigure(INDEX_SPEC, settings), 4, new URLSearchParams());
    expect(query.toString()).toBe('ix.s=2&ix.p=1&ix.step=5');
    const read = readFigureQuery(INDEX_SPEC, query);
    expect(read.notices).toEqual([]);
    expect(read.index).toBe(4);
    expect(read.drawn.settings.stride).toBe(2);
    expect(read.drawn.example.geometry.OH).toBe(3);
  });

  it('garbage in the query falls back to the defaults with notices', () => {
    const read = readFigureQuery(INDEX_SPEC, new URLSearchParams('ix.s=banana&ix.kh=9&ix.step=-3'));
    expect(read.drawn.settings).toEqual(INDEX_DEFAULTS);
    expect(read.notices).toHaveLength(3);
    expect(read.notices[2]).toMatch(/Ignored step "-3"/);
    const tooBig = readFigureQuery(INDEX_SPEC, new URLSearchParams('ix.h=12&ix.w=12&ix.kh=3&ix.kw=3'));
    expect(tooBig.drawn.settings).toEqual(INDEX_DEFAULTS);
    expect(tooBig.notices[0]).toMatch(/could not be drawn/);
  });

  it('the code marks name one shown line each of gatherLoops', () => {
    const src = readFileSync(fileURLToPath(new URL('../../lib/reference/gather-loops.ts', import.meta.url)), 'utf8');
    const snippet = extractSnippet(src, 'lib/reference/gather-loops.ts', 'gatherLoops', { ...GATHER_LOOP_MARKS }, { hide: '// trace' });
    expect(Object.keys(snippet.marks)).toEqual(['row', 'gather']);
    expect(snippet.code.split('\n')[snippet.marks.row - 1]).toContain('d[r]');
    expect(snippet.code).not.toContain('observe');
  });
});
