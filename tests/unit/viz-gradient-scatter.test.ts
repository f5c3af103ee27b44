import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  SCATTER_DEFAULTS,
  SCATTER_PRESETS,
  SCATTER_SPEC,
  checkLine,
  coverageMarkOf,
  dcolsMarkOf,
  dcolsPaddingOf,
  dcolsTerms,
  dxBlankOf,
  dxMarkOf,
  dxPaddingOf,
  dxValuesAt,
  focusDetail,
  scatterView,
  seedScatter,
  stepAt,
} from '../../lib/viz/gradient-scatter/index.ts';
import type { ScatterView } from '../../lib/viz/gradient-scatter/index.ts';
import { COL2IM_LOOP_MARKS } from '../../lib/reference/col2im-loops.ts';
import {
  attemptDraw,
  drawFigure,
  planeIndex,
  readFigureQuery,
  withField,
  withValue,
  writeFigureQuery,
} from '../../lib/viz/figure/index.ts';
import { SEED_SETTINGS, buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { col2im } from '../../lib/im2col/col2im.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { formatValue } from '../../lib/viz/format.ts';
import { readFileSync } from 'node:fs';
import { setGemmKernel } from '../../lib/gemm.ts';

// The traces and figures replay the reference (JS) kernel's float64 sums: the engine results they
// are compared with bit for bit come from that kernel too (the WASM kernel sums in float32).
setGemmKernel('js');

const viewOf = (settings: Partial<ConvSettings> = {}) => scatterView(buildExample({ ...SEED_SETTINGS, ...settings }));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Every dx panel at step `index`, unpadded, flattened in NCHW order. */
function dxAt(view: ScatterView, index: number): number[] {
  const { ph, pw, H, W } = view.geometry;
  return view.dxPanels.flatMap((_, p) =>
    dxValuesAt(view, p, index)
      .slice(ph, ph + H)
      .flatMap((row) => row.slice(pw, pw + W)),
  );
}

const lastStep = (view: ScatterView) => view.steps.length - 1;

describe('the seed example: 3×3 input, kernel 10…13, upstream gradient 1…4', () => {
  const view = viewOf();

  it('dX_col = W_rowᵀ × dY_row: entry (r, q) is w[r]·dy[q]', () => {
    expect(view.dcolsGrid).toEqual([
      [10, 20, 30, 40],
      [11, 22, 33, 44],
      [12, 24, 36, 48],
      [13, 26, 39, 52],
    ]);
    expect(view.dcolsLabel).toBe('dX_col = W_rowᵀ × dY_row (4 × 4)');
    expect(view.summary).toBe('Output 2 × 2 · W_rowᵀ 4 × 1 × dY_row 1 × 4 = dX_col 4 × 4 · dx 3 × 3');
  });

  it('one GEMM step, then per window its start and one step per entry, then the check', () => {
    const window = (q: number) => [
      ['window', q],
      ['add', q],
      ['add', q],
      ['add', q],
      ['add', q],
    ];
    expect(view.steps.map((s) => [s.kind, s.column])).toEqual([
      ['gemm', null],
      ...window(0),
      ...window(1),
      ...window(2),
      ...window(3),
      ['done', null],
    ]);
    expect(view.steps.slice(0, 7).map((s) => s.cursor.mark)).toEqual(['gemm', 'window', 'add', 'add', 'add', 'add', 'window']);
    expect(view.steps[8].cursor.vars).toEqual([
      ['n', 0],
      ['oh', 0],
      ['ow', 1],
      ['c', 0],
      ['kh', 0],
      ['kw', 1],
    ]);
    expect(view.steps[6].cursor.vars).toEqual([
      ['n', 0],
      ['oh', 0],
      ['ow', 1],
    ]);
  });

  it('narrates each step with its arithmetic, the running values being the loops’', () => {
    expect(view.steps[0].narration).toBe(
      "One GEMM first: dX_col = W_rowᵀ × dY_row, 4 × 1 times 1 × 4 gives 4 × 4. Column q holds window q's share of the gradient for each of its 4 entries, e.g. dX_col[0][0] = 10·1 = 10. dx starts at zero.",
    );
    expect(view.steps[1].narration).toBe(
      'Window 1 of 4 (row 0, column 0 of the output): column 0 of dX_col goes back into its window, 4 entries into dx.',
    );
    expect(view.steps.filter((s) => s.kind === 'add').map((s) => s.narration.split(': ').slice(1).join(': '))).toEqual([
      'dx[0,0]: 0 + 10 = 10.',
      'dx[0,1]: 0 + 11 = 11.',
      'dx[1,0]: 0 + 12 = 12.',
      'dx[1,1]: 0 + 13 = 13.',
      'dx[0,1]: 11 + 20 = 31.',
      'dx[0,2]: 0 + 22 = 22.',
      'dx[1,1]: 13 + 24 = 37.',
      'dx[1,2]: 0 + 26 = 26.',
      'dx[1,0]: 12 + 30 = 42.',
      'dx[1,1]: 37 + 33 = 70.',
      'dx[2,0]: 0 + 36 = 36.',
      'dx[2,1]: 0 + 39 = 39.',
      'dx[1,1]: 70 + 40 = 110.',
      'dx[1,2]: 26 + 44 = 70.',
      'dx[2,1]: 39 + 48 = 87.',
      'dx[2,2]: 0 + 52 = 52.',
    ]);
    expect(view.steps[7].narration).toBe('window 2 of 4, entry 0 (tap 0,0): dx[0,1]: 11 + 20 = 31.');
    expect(view.steps[21].narration).toBe(
      'All 4 windows are folded back (output 2 × 2). Pixels inside several windows summed one share per window (up to 4). The total matches conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 }).dx ✓ (all 9 values, bit for bit).',
    );
  });

  it('dx fills up entry by entry and ends at the full convolution of dY with the kernel', () => {
    expect(dxAt(view, 0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dxAt(view, 3)).toEqual([10, 11, 0, 0, 0, 0, 0, 0, 0]);
    expect(dxAt(view, 5)).toEqual([10, 11, 0, 12, 13, 0, 0, 0, 0]);
    expect(dxAt(view, 10)).toEqual([10, 31, 22, 12, 37, 26, 0, 0, 0]);
    expect(dxAt(view, 21)).toEqual([10, 31, 22, 42, 110, 70, 36, 87, 52]);
    expect(dxAt(view, 20)).toEqual(dxAt(view, 21));
    const reference = conv2dBackward(view.example.dy, view.example.x, view.example.w).dx;
    expect(dxAt(view, 21)).toEqual(Array.from(reference.data));
    expect([view.matching, view.pixels]).toEqual([9, 9]);
  });

  it('dx pixels are blank until an entry reaches them', () => {
    const blank = (index: number) => [0, 1, 2].map((y) => [0, 1, 2].map((x) => dxBlankOf(view, 0, index)(y, x)));
    expect(blank(0).flat().every(Boolean)).toBe(true);
    expect(blank(3)).toEqual([
      [false, false, true],
      [true, true, true],
      [true, true, true],
    ]);
    expect(blank(21).flat().some(Boolean)).toBe(false);
  });

  it('the coverage counts the windows per pixel: 4 in the centre, 1 in the corners', () => {
    expect(view.coverage).toEqual([
      [1, 2, 1],
      [2, 4, 2],
      [1, 2, 1],
    ]);
  });

  it('the check line reports progress, then the match', () => {
    expect(checkLine(view, 0)).toBe(
      '0 of 4 windows folded; the last step compares the total with conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 }).dx',
    );
    expect(checkLine(view, 10)).toContain('2 of 4 windows folded');
    expect(checkLine(view, 9)).toContain('1 of 4 windows folded');
    expect(checkLine(view, 21)).toBe('matches conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 }).dx ✓');
  });

  it('marks: the entry being folded is active, the rest of its column the source, folded ones muted, its window the target', () => {
    const cols = dcolsMarkOf(view, 8);
    expect([cols(0, 0), cols(3, 0), cols(0, 1), cols(1, 1), cols(2, 1), cols(0, 2)]).toEqual([
      'muted',
      'muted',
      'muted',
      'active',
      'source',
      undefined,
    ]);
    const dx = dxMarkOf(view, 0, 8);
    const marks = [0, 1, 2].map((y) => [0, 1, 2].map((x) => dx(y, x)));
    expect(marks).toEqual([
      [undefined, 'target', 'active'],
      [undefined, 'target', 'target'],
      [undefined, undefined, undefined],
    ]);
    const cov = coverageMarkOf(view, 8);
    expect([cov(0, 1), cov(1, 2), cov(0, 0)]).toEqual(['target', 'target', undefined]);
    // at the GEMM step nothing is folded; at the end nothing is muted
    expect(dcolsMarkOf(view, 0)(0, 0)).toBeUndefined();
    expect(dcolsMarkOf(view, 21)(0, 0)).toBeUndefined();
    expect(dxMarkOf(view, 0, 21)(1, 1)).toBeUndefined();
  });

  it('linked highlighting: a pixel lights the entries that land on it, an entry lights its pixel', () => {
    const focusPixel = { kind: 'dx' as const, panel: 0, y: 1, x: 1 };
    const cols = dcolsMarkOf(view, 1, focusPixel);
    const active = view.dcolsGrid.flatMap((row, r) => row.flatMap((_, q) => (cols(r, q) === 'active' ? [[r, q]] : [])));
    expect(active).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
      [3, 0],
    ]);
    expect(focusDetail(view, focusPixel)).toBe('dx[1,1] = 13 + 24 + 33 + 40 = 110 (4 windows: 0, 1, 2 and 3).');
    const focusEntry = { kind: 'dcols' as const, r: 2, q: 1 };
    expect(dxMarkOf(view, 0, 1, focusEntry)(1, 1)).toBe('active');
    expect(focusDetail(view, focusEntry)).toBe('dX_col[2][1] = 12·2 = 24; it goes to dx[1,1].');
    expect(focusDetail(view, null)).toBeNull();
  });

  it('the lesson’s TeX is built from the engine’s numbers', () => {
    const seed = seedScatter();
    expect(seed.dx).toEqual([
      [10, 31, 22],
      [42, 110, 70],
      [36, 87, 52],
    ]);
    expect(seed.tex.gemm).toContain('\\begin{bmatrix} 10 \\\\ 11 \\\\ 12 \\\\ 13 \\end{bmatrix}');
    expect(seed.tex.gemm).toContain('\\begin{bmatrix} 1 & 2 & 3 & 4 \\end{bmatrix}');
    expect(seed.tex.fold).toBe(
      '\\operatorname{col2im}(dX_\\text{col}) = \\begin{bmatrix} 10 & 31 & 22 \\\\ 42 & 110 & 70 \\\\ 36 & 87 & 52 \\end{bmatrix}',
    );
  });
});

describe('several filters and channels', () => {
  it('F=2: a dX_col entry sums over the filters, 10·1 + 14·5 = 80', () => {
    const view = viewOf({ F: 2 });
    expect(dcolsTerms(view, 0, 0)).toBe('dX_col[0][0] = 10·1 + 14·5 = 80');
    expect(view.dcolsGrid[0][0]).toBe(80);
    expect(view.summary).toContain('W_rowᵀ 4 × 2 × dY_row 2 × 4');
  });

  it('C=2: one dx panel per channel, pixels named dx[c,y,x]', () => {
    const view = viewOf({ C: 2 });
    expect(view.dxPanels.map((p) => p.label)).toEqual(['dx, channel 0', 'dx, channel 1']);
    expect(view.steps.find((s) => s.entry?.c === 1)!.narration).toContain('dx[1,0,0]: 0 + 14 = 14');
    expect(view.rowHeaders).toEqual(['c0 0,0', 'c0 0,1', 'c0 1,0', 'c0 1,1', 'c1 0,0', 'c1 0,1', 'c1 1,0', 'c1 1,1']);
  });
});

describe('padding: entries on the border are dropped', () => {
  const view = viewOf({ padding: 1 });

  it('the first window has 3 of its 4 taps on the border', () => {
    const step = view.steps[1];
    expect(step.adds.map((a) => a.text)).toEqual([
      'padding at [−1,−1]: 10 dropped',
      'padding at [−1,0]: 11 dropped',
      'padding at [0,−1]: 12 dropped',
      'dx[0,0]: 0 + 13 = 13',
    ]);
    expect(step.narration).toBe(
      'Window 1 of 16 (row 0, column 0 of the output): column 0 of dX_col goes back into its window, 1 entry into dx. 3 entries fall on the padding and are dropped.',
    );
    expect(view.steps.slice(2, 6).map((s) => s.cursor.mark)).toEqual(['drop', 'drop', 'drop', 'add']);
    expect(view.steps[2].narration).toBe('window 1 of 16, entry 0 (tap 0,0): its pixel lies in the padding, so 10 is dropped.');
  });

  it('dropped entries are hatched in dX_col; the dx panel has a border; the total still matches', () => {
    const pad = dcolsPaddingOf(view);
    expect([pad(0, 0), pad(3, 0), pad(0, 5)]).toEqual([true, false, false]);
    expect(view.dxPanels[0].rows).toBe(5);
    expect(view.dxPanels[0].label).toBe('dx (border: padding, dropped)');
    expect(dxPaddingOf(view, 0)(0, 2)).toBe(true);
    expect(dxMarkOf(view, 0, 1)(0, 0)).toBe('target');
    expect(dxMarkOf(view, 0, 1)(4, 4)).toBe('padding');
    expect(focusDetail(view, { kind: 'dx', panel: 0, y: 0, x: 0 })).toBe('A padding position: whatever col2im would add here is dropped.');
    expect(focusDetail(view, { kind: 'dcols', r: 0, q: 0 })).toBe('dX_col[0][0] = 10·1 = 10; it lands on the padding and is dropped.');
    expect(dxAt(view, lastStep(view))).toEqual(
      Array.from(conv2dBackward(view.example.dy, view.example.x, view.example.w, { padding: 1 }).dx.data),
    );
    expect(view.matching).toBe(view.pixels);
  });

  it('a window entirely on the border: every entry is dropped', () => {
    const v = viewOf({ H: 2, W: 2, KH: 1, KW: 1, padding: 1 });
    expect(v.steps[1].narration).toBe(
      'Window 1 of 16 (row 0, column 0 of the output): column 0 of dX_col goes back into its window, 0 entries into dx. 1 entry falls on the padding and is dropped.',
    );
  });
});

describe('the presets', () => {
  it('Overlapping windows: 4×4 input, 3×3 kernel, stride 1 — the centre pixels are in all 4 windows', () => {
    const preset = SCATTER_PRESETS.find((p) => p.label === 'Overlapping windows')!;
    const view = scatterView(buildExample(preset.settings));
    expect(view.coverage).toEqual([
      [1, 2, 2, 1],
      [2, 4, 4, 2],
      [2, 4, 4, 2],
      [1, 2, 2, 1],
    ]);
    expect(view.steps.at(-1)!.narration).toContain('summed one share per window (up to 4)');
  });

  it('Non-overlapping windows: 4×4 input, 2×2 kernel, stride 2 — every pixel in exactly one window', () => {
    const preset = SCATTER_PRESETS.find((p) => p.label === 'Non-overlapping windows')!;
    const view = scatterView(buildExample(preset.settings));
    expect(view.coverage.flat()).toEqual(new Array(16).fill(1));
    expect(view.steps.at(-1)!.narration).toContain('No pixel is in two windows, so nothing had to be summed: col2im only moved values.');
    for (const step of view.steps.filter((s) => s.kind === 'window')) {
      for (const add of step.adds) expect(add.text).toMatch(/: 0 \+ \S+ = /);
    }
  });
});

describe('the folded total is conv2dBackward’s dx, bit for bit', () => {
  it('over random settings: stride < kernel, padding, dilation, channels, filters, random values', () => {
    const settingsArb = fc
      .record({
        H: fc.integer({ min: 1, max: 7 }),
        W: fc.integer({ min: 1, max: 7 }),
        KH: fc.integer({ min: 1, max: 3 }),
        KW: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 3 }),
        padding: fc.integer({ min: 0, max: 2 }),
        dilation: fc.integer({ min: 1, max: 2 }),
        C: fc.integer({ min: 1, max: 2 }),
        F: fc.integer({ min: 1, max: 3 }),
        N: fc.integer({ min: 1, max: 2 }),
        seed: fc.integer({ min: 0, max: 1000 }),
      })
      .filter((s) => s.dilation * (s.KH - 1) + 1 <= s.H + 2 * s.padding && s.dilation * (s.KW - 1) + 1 <= s.W + 2 * s.padding);
    fc.assert(
      fc.property(settingsArb, (s) => {
        const example = buildExample({ ...SEED_SETTINGS, ...s, x: null, w: null, dy: null });
        const rng = createRng(s.seed);
        const w = Array.from(randomUniform(example.w.shape, rng, -3, 3).data);
        const dy = Array.from(randomUniform(example.dy.shape, rng, -3, 3).data);
        let view: ScatterView;
        try {
          view = scatterView(buildExample({ ...example.settings, w, dy }));
        } catch {
          return; // too large to draw
        }
        const opts = { stride: s.stride, padding: s.padding, dilation: s.dilation };
        const reference = conv2dBackward(view.example.dy, view.example.x, view.example.w, opts).dx;
        expect(bits(new Float32Array(dxAt(view, lastStep(view))))).toEqual(bits(reference.data));
        expect(view.matching).toBe(view.pixels);
        expect(checkLine(view, lastStep(view))).toMatch(/^matches conv2dBackward\(.*\)\.dx ✓$/);
        // dX_col is the engine's col2im input: col2im of it is the same dx
        expect(bits(col2im(view.dcols, view.example.x.shape, [s.KH, s.KW], opts).data)).toEqual(bits(reference.data));
        // every dX_col entry's listed GEMM terms sum to the entry
        const [R, Q] = view.dcols.shape;
        const r = s.seed % R;
        const q = s.seed % Q;
        expect(dcolsTerms(view, r, q).endsWith(`= ${formatValue(view.dcolsGrid[r][q]).replace(/^-/, '−')}`)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});

describe('editing, guarding and the URL (the figure contract)', () => {
  it('planeIndex addresses the flat tensors: editing dY[0][1,0] changes dX_col column 2', () => {
    const drawn = drawFigure(SCATTER_SPEC, SCATTER_DEFAULTS);
    const at = planeIndex(drawn.view.gradients[0], 1, 0);
    expect(at).toBe(2);
    const edit = withValue(SCATTER_SPEC, drawn.settings, drawn.example, 'dy', at, '-2');
    if (!edit.ok) throw new Error(edit.error);
    expect(drawFigure(SCATTER_SPEC, edit.settings).view.dcolsGrid.map((row) => row[2])).toEqual([-20, -22, -24, -26]);
    expect(planeIndex(viewOf({ C: 2, F: 2 }).kernels[3], 1, 1)).toBe(15);
  });

  it('an invalid setting is refused with the engine’s message', () => {
    expect(attemptDraw(SCATTER_SPEC, withField(SCATTER_DEFAULTS, 'KH', '5'))).toEqual({
      ok: false,
      error: 'kernel 5×2 does not fit the padded input 3×3',
    });
  });

  it('a valid setting too large to draw is refused with the draw budget’s message', () => {
    const big = attemptDraw(SCATTER_SPEC, { ...SCATTER_DEFAULTS, H: 12, W: 12, KH: 3, KW: 3, C: 3, padding: 3 });
    // dX_col 27 × 256 = 6,912, four padded 18 × 18 panels (three dx, the coverage) = 1,296, W 27, dY 256, x 432.
    expect(big).toEqual({
      ok: false,
      error: 'the figure would draw 8,923 cells (dX_col 27 × 256, the dx panels and the operands); it draws at most 2,048',
    });
  });

  it('settings, values and step survive a round trip through the query, with no notice', () => {
    const settings = { ...SCATTER_DEFAULTS, padding: 1, dilation: 2, dy: [1, -2, 3, 4, 5, 6, 7, 8, 9] };
    const query = writeFigureQuery(SCATTER_SPEC, drawFigure(SCATTER_SPEC, settings), 4, new URLSearchParams('other=1'));
    expect(query.get('sc.p')).toBe('1');
    expect(query.get('sc.step')).toBe('5');
    expect(query.get('other')).toBe('1');
    const read = readFigureQuery(SCATTER_SPEC, query);
    expect(read.notices).toEqual([]);
    expect(read.index).toBe(4);
    expect(read.drawn.example.settings.dilation).toBe(2);
    expect(Array.from(read.drawn.example.dy.data)).toEqual([1, -2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('garbage in the query falls back to the defaults with notices, never throwing', () => {
    const read = readFigureQuery(SCATTER_SPEC, new URLSearchParams('sc.s=zero&sc.g=oops&sc.step=99'));
    expect(read.notices).toEqual([
      'Ignored stride "zero" from the link: it must be an integer from 1 to 4.',
      'Ignored the gradient values from the link: they must be numbers separated by commas.',
      'Ignored step "99" from the link: it must be an integer from 1 to 22.',
    ]);
    expect(read.index).toBe(0);
    expect(read.drawn.example.settings.stride).toBe(1);
    const tooBig = readFigureQuery(SCATTER_SPEC, new URLSearchParams('sc.h=12&sc.w=12&sc.kh=3&sc.kw=3&sc.c=3&sc.p=3'));
    expect(tooBig.notices[0]).toMatch(/^The link's settings could not be drawn \(the figure would draw 8,923 cells/);
    expect(tooBig.drawn.example.settings).toEqual(SCATTER_DEFAULTS);
  });

  it('stepAt clamps', () => {
    const view = viewOf();
    expect(stepAt(view, -3).kind).toBe('gemm');
    expect(stepAt(view, 99).kind).toBe('done');
  });
});

describe('the code panel marks', () => {
  it('each mark occurs on exactly one shown line of col2imLoops, with the observer lines hidden', () => {
    const source = readFileSync(new URL('../../lib/reference/col2im-loops.ts', import.meta.url), 'utf8');
    const snippet = extractSnippet(source, 'lib/reference/col2im-loops.ts', 'col2imLoops', { ...COL2IM_LOOP_MARKS }, { hide: '// trace' });
    const lines = snippet.code.split('\n');
    expect(lines[snippet.marks.add - 1]).toContain('dx.data[k] += value;');
    expect(lines[snippet.marks.drop - 1]).toContain('continue; // from the padding: dropped');
    expect(snippet.marks.window).toBeLessThan(snippet.marks.drop);
    expect(snippet.code).not.toContain('observe');
  });
});
