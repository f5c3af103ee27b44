import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RELU_DW_DEFAULTS,
  RELU_DW_PRESETS,
  RELU_DW_SPEC,
  biasEquation,
  deltaChainTex,
  deltaEquation,
  forwardChainTex,
  inputValueIndex,
  listedWeight,
  reluDwBlanks,
  reluDwMarks,
  reluDwPreset,
  reluDwViewOf,
  stageStarts,
  weightEquation,
  weightLabel,
  windowLabel,
} from '../../lib/viz/relu-dw/index.ts';
import type { ReluDwView } from '../../lib/viz/relu-dw/index.ts';
import { DRAW_BUDGET, attemptDraw, drawFigure, readFigureQuery, withField, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2d, conv2dBackward, im2col, relu, reluBackward, reluMask } from '../../lib/index.ts';
import { withGemmKernel } from '../../lib/gemm.ts';
import { extractSnippet } from '../../lib/viz/source-snippet.ts';
import { PARAM_GRADIENT_LOOP_MARKS } from '../../lib/reference/gemm-loops.ts';
import { RELU_LOOP_MARKS } from '../../lib/reference/relu-backward-loops.ts';

const f32 = (v: number) => Math.fround(v);
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** The engine's answers for a view's example, computed straight from lib/ (JS GEMM kernel: float64 sums). */
function engineOf(view: ReluDwView) {
  const { x, w, dy, settings } = view.example;
  const opts = { stride: settings.stride, padding: settings.padding, dilation: settings.dilation };
  const z = conv2d(x, w, null, opts);
  const delta = reluBackward(dy, z);
  const grads = withGemmKernel('js', () => conv2dBackward(delta, x, w, opts));
  return { z, a: relu(z), mask: reluMask(z), delta, grads, cols: im2col(x, [view.KH, view.KW], opts) };
}

describe('the seed ReLU example (University of Pisa slides)', () => {
  const view = reluDwViewOf(RELU_DW_DEFAULTS);

  it('computes Z = −47 7 / 7 7, ReLU 0 7 / 7 7, the mask 0 1 / 1 1 and δ_Z = 0 3.59 / 4.65 0.81', () => {
    expect(view.maps).toHaveLength(1);
    expect(view.maps[0].z).toEqual([
      [-47, 7],
      [7, 7],
    ]);
    expect(view.maps[0].a).toEqual([
      [0, 7],
      [7, 7],
    ]);
    expect(view.maps[0].mask).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(view.maps[0].upstream.grid).toEqual([
      [f32(1.23), f32(3.59)],
      [f32(4.65), f32(0.81)],
    ]);
    expect(view.maps[0].delta).toEqual([
      [0, f32(3.59)],
      [f32(4.65), f32(0.81)],
    ]);
  });

  it('narrates each gate with its arithmetic and the reason, the bias as a sum and each weight as a dot product', () => {
    expect(view.steps.filter((s) => s.kind === 'gate').map((s) => s.narration)).toEqual([
      'δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)',
      'δ[0,1] = 3.59 · 1 = 3.59 (Z = 7 > 0, passes)',
      'δ[1,0] = 4.65 · 1 = 4.65 (Z = 7 > 0, passes)',
      'δ[1,1] = 0.81 · 1 = 0.81 (Z = 7 > 0, passes)',
    ]);
    expect(deltaEquation(view, 0)).toBe('δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)');
    expect(biasEquation(view, 0)).toBe('db[0] = 0 + 3.59 + 4.65 + 0.81 = 9.05');
    expect(weightEquation(view, 0, 3)).toBe('dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05');
    expect(weightEquation(view, 0, 0)).toBe('dW[0,0,0,0] = 0·1 + 3.59·1 + 4.65·1 + 0.81·10 = 16.34');
    expect(view.dw[0].grid.flat().map((v) => Number(v.toFixed(2)))).toEqual([16.34, 50.9, 41.36, 9.05]);
  });

  it('has one step per statement the loops ran: forward, 4 gates, 1 row copy, 4 bias terms + store, 4 × (4 terms + store), the check', () => {
    const kinds = view.steps.map((s) => s.kind);
    const weight = ['term', 'term', 'term', 'term', 'store'];
    expect(kinds).toEqual([
      'forward',
      'gate',
      'gate',
      'gate',
      'gate',
      'rows',
      'bias-term',
      'bias-term',
      'bias-term',
      'bias-term',
      'bias',
      ...weight,
      ...weight,
      ...weight,
      ...weight,
      'done',
    ]);
    expect(stageStarts(view.steps)).toEqual({ relu: 0, bias: 5, weight: 11 });
    expect(view.steps[0].narration).toContain('3 of 4 entries let the gradient through');
    expect(view.steps[13].narration).toBe('dW[0,0,0,0]: sum += δ·x = 4.65·1 = 4.65 → 8.24 (window 1,0)');
    expect(view.matchesEngine).toBe(true);
    expect(view.steps.at(-1)!.narration).toBe(
      "dW_row (1×4) read as [1, 1, 2, 2] is dW = 16.34 50.9 / 41.36 9.05 — δ_Z, db and dW equal, entry for entry, the engine's reluBackward and conv2dBackward(δ_Z, x, w)",
    );
  });

  it('every step but the first and the last runs a statement the code panel marks, with its loop variables', () => {
    const root = join(import.meta.dirname, '..', '..');
    const relu = extractSnippet(
      readFileSync(join(root, 'lib/reference/relu-backward-loops.ts'), 'utf8'),
      'relu',
      'reluBackwardLoops',
      { ...RELU_LOOP_MARKS },
      { hide: '// trace' },
    );
    const params = extractSnippet(
      readFileSync(join(root, 'lib/reference/gemm-loops.ts'), 'utf8'),
      'params',
      'convParamGradientLoops',
      { ...PARAM_GRADIENT_LOOP_MARKS },
      { hide: '// trace' },
    );
    expect(relu.code).not.toContain('observe');
    for (const step of view.steps.slice(1)) {
      const marks = step.code === 'relu' ? relu.marks : params.marks;
      expect(marks).toHaveProperty(step.cursor.mark);
      if (step.kind !== 'done') expect(step.cursor.vars.length).toBeGreaterThan(0);
    }
    expect(view.steps[3].cursor.vars).toEqual([
      ['n', 0],
      ['f', 0],
      ['oh', 1],
      ['ow', 0],
    ]);
    expect(view.steps[13].cursor).toEqual({
      mark: 'term',
      vars: [
        ['f', 0],
        ['r', 0],
        ['q', 2],
      ],
    });
  });

  it('draws X_colᵀ as one row per window and renders the seed chains as TeX from the same numbers', () => {
    expect(view.colsT).toEqual([
      [1, 1, 1, 10],
      [1, 1, 10, 1],
      [1, 10, 1, 1],
      [10, 1, 1, 1],
    ]);
    expect(view.windowLabels).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(forwardChainTex(view)).toContain('\\begin{bmatrix} -47 & 7 \\\\ 7 & 7 \\end{bmatrix}');
    expect(deltaChainTex(view)).toContain('\\begin{bmatrix} 0 & 3.59 \\\\ 4.65 & 0.81 \\end{bmatrix}');
  });
});

const settingsCases: [string, ConvSettings][] = [
  ['overlapping preset (stride 2 < kernel 3)', reluDwPreset('overlapping').settings],
  ['non-overlapping preset (stride 2 = kernel 2)', reluDwPreset('non-overlapping').settings],
  ['padding 1', { ...RELU_DW_DEFAULTS, padding: 1, dy: null }],
  [
    'dilation 2 on a 5×5 input',
    {
      ...RELU_DW_DEFAULTS,
      H: 5,
      W: 5,
      dilation: 2,
      x: [3, -1, 2, 0, 1, 4, 2, -3, 1, 0, -2, 5, 1, 2, 3, 0, 1, -1, 4, 2, 1, 3, 0, -2, 1],
      dy: null,
    },
  ],
  [
    'two channels, two filters, a batch of two, stride 2, padding 1',
    {
      N: 2,
      C: 2,
      H: 4,
      W: 5,
      F: 2,
      KH: 3,
      KW: 2,
      stride: 2,
      padding: 1,
      dilation: 1,
      x: null,
      w: [1, -2, 0, 3, -1, 2, 1, 0, -3, 2, 1, -1, 2, 0, 1, -2, 3, -1, 0, 1, -2, 1, 2, -1],
      dy: [3, -1, 2, 0, -2, 1, 4, -3, 1, 2, 0, -1, 2, 1, -2, 3, 0, 1, -1, 2, 1, -3, 2, 0],
    },
  ],
];

describe.each(settingsCases)('%s', (_name, settings) => {
  const view = reluDwViewOf(settings);
  const e = engineOf(view);

  it('shows the engine’s Z, ReLU and mask, and the loops’ δ_Z equals reluBackward bit for bit', () => {
    expect(view.maps.flatMap((m) => m.z.flat())).toEqual(Array.from(e.z.data));
    expect(view.maps.flatMap((m) => m.a.flat())).toEqual(Array.from(e.a.data));
    expect(view.maps.flatMap((m) => m.mask.flat())).toEqual(Array.from(e.mask.data));
    expect(bits(view.maps.flatMap((m) => m.delta.flat()))).toEqual(bits(e.delta.data));
  });

  it('replaying the steps’ statements rebuilds δ_Z, db and dW exactly as conv2dBackward(δ_Z, x, w) on the JS kernel', () => {
    const { F, Q, R } = view;
    const delta = new Float32Array(view.upstream.data.length);
    const db = new Float32Array(F);
    const dw = new Float32Array(F * R);
    let sum = 0;
    for (const s of view.steps) {
      if (s.kind === 'gate') delta[s.k] = view.mask.data[s.k] > 0 ? view.upstream.data[s.k] : 0;
      else if (s.kind === 'bias-term') sum = (s.q === 0 ? 0 : sum) + view.dyRow[s.f][s.q];
      else if (s.kind === 'bias') db[s.f] = sum;
      else if (s.kind === 'term') sum = (s.q === 0 ? 0 : sum) + view.dyRow[s.f][s.q] * view.colsT[s.q][s.r];
      else if (s.kind === 'store') dw[s.f * R + s.r] = sum;
    }
    expect(bits(delta)).toEqual(bits(e.delta.data));
    expect(bits(db)).toEqual(bits(e.grads.db.data));
    expect(bits(dw)).toEqual(bits(e.grads.dw.data));
    expect(view.steps.filter((s) => s.kind === 'term')).toHaveLength(F * R * Q);
    expect(view.matchesEngine).toBe(true);
    expect(view.steps.at(-1)!.narration).toContain('equal, entry for entry');
  });

  it('X_colᵀ is im2col(x) transposed, and each stored weight is marked with the pixels under it in every window', () => {
    const [R, Q] = e.cols.shape;
    expect(view.colsT).toEqual(Array.from({ length: Q }, (_, q) => Array.from({ length: R }, (_, r) => e.cols.data[r * Q + q])));
    for (const s of view.steps.filter((st) => st.kind === 'store').slice(0, 3)) {
      const m = reluDwMarks(view, s);
      // Windows that share a pixel under this weight (stride < reach) mark it once.
      const pixels = new Set(view.replay.copies[s.r].map((c) => `${c.n},${c.c},${c.y},${c.x}`));
      expect(m.inputs.flatMap((g) => g.flat()).filter((k) => k === 'source')).toHaveLength(pixels.size);
      expect(m.colsT.every((row) => row[s.r] === 'source')).toBe(true);
      expect(m.dwRow[s.f][s.r]).toBe('active');
    }
  });
});

describe('progressive reveal, marks and the terms table', () => {
  const view = reluDwViewOf(RELU_DW_DEFAULTS);
  const blank = (k: number) => reluDwBlanks(view, view.steps[k].progress);

  it('fills δ_Z cell by cell, then dY_row, db and dW weight by weight; the first step shows none of them', () => {
    const start = blank(0);
    expect([start.delta(0, 0, 0), start.dyRow(0, 0), start.db(0), start.dwRow(0, 0), start.dw(0, 0, 0)]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([blank(2).delta(0, 0, 1), blank(2).delta(0, 1, 0)]).toEqual([false, true]);
    expect([blank(4).dyRow(0, 0), blank(5).dyRow(0, 3)]).toEqual([true, false]);
    expect([blank(9).db(0), blank(10).db(0)]).toEqual([true, false]);
    // Weight 0 is stored at step 15, weight 3 (dW[0,0,1,1]) at step 30.
    expect([blank(14).dwRow(0, 0), blank(15).dwRow(0, 0), blank(29).dw(0, 1, 1), blank(30).dw(0, 1, 1)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('marks a gate’s cell, its window and its filter; a term’s two factors and the pixel; hovering traces without moving the step', () => {
    const gate = reluDwMarks(view, view.steps[2]); // δ[0,1]
    expect(gate.maps[0][0][1]).toBe('active');
    expect(gate.inputs[0][0][1]).toBe('source');
    expect(gate.inputs[0][0][0]).toBeUndefined();
    expect(gate.kernels[0].flat()).toEqual(['source', 'source', 'source', 'source']);
    const term = reluDwMarks(view, view.steps[13]); // dW[0,0,0,0], window 2 (1,0): pixel (1, 0) = 1
    expect(term.dyRow[0][2]).toBe('active');
    expect(term.colsT[2][0]).toBe('active');
    expect(term.inputs[0][1][0]).toBe('active');
    expect(term.dwRow[0][0]).toBe('target');
    const pointed = reluDwMarks(view, view.steps[13], { grid: 'dw0', r: 1, c: 1 });
    expect(pointed.kernels[0][1][1]).toBe('active');
    expect(pointed.inputs[0].flat().filter((k) => k === 'source')).toHaveLength(4);
    expect(pointed.dyRow[0]).toEqual(['source', 'source', 'source', 'source']);
    const cell = reluDwMarks(view, view.steps[0], { grid: 'map0', r: 1, c: 1 });
    expect(cell.maps[0][1][1]).toBe('active');
    expect(cell.colsT[3]).toEqual(['source', 'source', 'source', 'source']);
    expect(
      reluDwMarks(view, view.steps[0], { grid: 'map7', r: 0, c: 0 })
        .maps[0].flat()
        .every((k) => k === undefined),
    ).toBe(true);
  });

  it('lists the terms summed so far, the stored sum once stored, and a pointed weight only once it is computed', () => {
    const at = listedWeight(view, view.steps[12]);
    expect(at?.name).toBe('dW[0,0,0,0]');
    expect(at?.terms.map((t) => t.q)).toEqual([0, 1]);
    expect(at?.sum).toBeNull();
    expect(listedWeight(view, view.steps[15])?.sum).toBe(view.dwRow[0][0]);
    expect(listedWeight(view, view.steps[5])).toBeNull();
    expect(listedWeight(view, view.steps[5], { grid: 'dwRow', r: 0, c: 1 })).toBeNull();
    expect(listedWeight(view, view.steps.at(-1)!, { grid: 'dwRow', r: 0, c: 1 })?.terms).toHaveLength(4);
  });

  it('maps cells of the padded input panels to flat indices of x (null in the padding)', () => {
    const padded = reluDwViewOf({ ...RELU_DW_DEFAULTS, padding: 1, C: 2, F: 2, x: null, w: null, dy: null });
    expect(inputValueIndex(padded, 0, 0, 0)).toBeNull();
    expect(inputValueIndex(padded, 1, 1, 1)).toBe(9);
    expect(inputValueIndex(padded, 1, 3, 3)).toBe(17);
    expect(windowLabel(5, 2, 2, 2)).toBe('1:0,1');
    expect(weightLabel(5, 2, 2, 2)).toBe('1:0,1');
    expect(deltaEquation(padded, 16)).toMatch(/^filter 1: δ\[0,0\]/);
  });
});

describe('the FigureSpec', () => {
  it('draws its defaults and every preset', () => {
    expect(RELU_DW_PRESETS.map((p) => p.label)).toEqual(['Seed ReLU example', 'Overlapping windows', 'Non-overlapping windows']);
    for (const settings of [RELU_DW_DEFAULTS, ...RELU_DW_PRESETS.map((p) => p.settings)])
      expect(attemptDraw(RELU_DW_SPEC, settings).ok).toBe(true);
    expect(() => reluDwPreset('nope' as 'seed')).toThrow();
  });

  it('refuses, with the draw budget’s reason, a picture that is too big, and the engine’s message for a kernel that does not fit', () => {
    const big: ConvSettings = { ...RELU_DW_DEFAULTS, N: 2, C: 3, H: 12, W: 12, KH: 3, KW: 3, x: null, w: null, dy: null };
    const a = attemptDraw(RELU_DW_SPEC, big);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error).toContain(`draws at most ${DRAW_BUDGET.toLocaleString('en-US')}`);
    const b = attemptDraw(RELU_DW_SPEC, { ...RELU_DW_DEFAULTS, KH: 5 });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error).toMatch(/does not fit/);
  });

  it('writes nothing for the defaults and reads old `rd.` links: a size change alone gives no notice', () => {
    expect(writeFigureQuery(RELU_DW_SPEC, drawFigure(RELU_DW_SPEC, RELU_DW_DEFAULTS), 0, new URLSearchParams()).toString()).toBe('');
    const padded = readFigureQuery(RELU_DW_SPEC, new URLSearchParams('rd.p=1'));
    expect(padded.notices).toEqual([]);
    expect(Array.from(padded.drawn.example.x.data)).toEqual(RELU_DW_DEFAULTS.x);
    expect(Array.from(padded.drawn.example.dy.data)).toEqual(Array.from({ length: 16 }, (_, k) => k + 1));
    const preset = readFigureQuery(RELU_DW_SPEC, new URLSearchParams('rd.h=5&rd.w=5&rd.kh=3&rd.kw=3&rd.s=2&rd.step=7'));
    expect(preset.notices).toEqual([]);
    expect(preset.index).toBe(6);
    const garbage = readFigureQuery(RELU_DW_SPEC, new URLSearchParams('rd.h=banana&rd.step=zz&rd.g=1,x'));
    expect(garbage.notices.join(' ')).toMatch(/Ignored input height "banana".*Ignored the gradient values.*Ignored step "zz"/);
    expect(garbage.drawn.settings).toEqual(RELU_DW_DEFAULTS);
  });

  it('a link it wrote after Channels 2, Filters 2, Batch 2, Padding 1 drops the stale value lists and reloads with no notice', () => {
    let settings = RELU_DW_DEFAULTS;
    for (const [key, text] of [
      ['C', '2'],
      ['F', '2'],
      ['N', '2'],
      ['padding', '1'],
    ] as const)
      settings = withField(settings, key, text);
    const drawn = drawFigure(RELU_DW_SPEC, settings);
    const q = writeFigureQuery(RELU_DW_SPEC, drawn, 1, new URLSearchParams('other=1'));
    for (const key of ['rd.x', 'rd.k', 'rd.g']) expect(q.get(key)).toBeNull();
    expect(q.toString()).toBe('other=1&rd.p=1&rd.c=2&rd.f=2&rd.n=2&rd.step=2');
    const back = readFigureQuery(RELU_DW_SPEC, q);
    expect(back.notices).toEqual([]);
    expect(back.index).toBe(1);
    expect(Array.from(back.drawn.example.x.data)).toEqual(Array.from(drawn.example.x.data));
    // Randomized values fit the shapes: written, read back the same.
    const random = RELU_DW_SPEC.randomize!(settings, drawn.example, 3);
    const q2 = writeFigureQuery(RELU_DW_SPEC, drawFigure(RELU_DW_SPEC, random), 0, new URLSearchParams());
    const back2 = readFigureQuery(RELU_DW_SPEC, q2);
    expect(back2.notices).toEqual([]);
    expect(Array.from(back2.drawn.example.dy.data)).toEqual(random.dy);
    expect(buildExample(back2.drawn.settings).w.data).toEqual(buildExample(random).w.data);
  });
});
